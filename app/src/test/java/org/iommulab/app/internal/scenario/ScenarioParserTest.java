package org.iommulab.app.internal.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ScenarioParserTest {
    private static Scenario parse(String text) throws IOException {
        return ScenarioParser.parse("s", new StringReader(text));
    }

    @Test
    void theDocumentedExampleParses() throws IOException {
        try (Reader r = new InputStreamReader(getClass().getResourceAsStream("/seed-case.scenario"), StandardCharsets.UTF_8)) {
            Scenario s = ScenarioParser.parse("seed-case.scenario", r);
            assertEquals(8, s.rounds());
            assertEquals(2015, s.seed());
            assertNull(s.backends());
            assertEquals(List.of("mmc", "mmc-buggy"), s.workloads().stream().map(Scenario.WorkloadLine::name).toList());
            assertEquals(32 * 1024L, s.workloads().get(1).size());
            assertNull(s.workloads().get(0).size(), "no size of its own: the default applies");
            assertEquals(List.of(), s.devices());
        }
    }

    @Test
    void everyDirective() throws IOException {
        Scenario s = parse("rounds 3\nsize 0x1000\nseed 9\nbackends direct generic # two\n"
                + "workload nvme rounds=2 size=1M seed=5\ndevice mmc1 maxseg=4k mask=64 coherent=false\n");
        assertEquals(3, s.rounds());
        assertEquals(4096, s.size());
        assertEquals(2, s.sizeLine());
        assertEquals(List.of("direct", "generic"), s.backends());
        assertEquals(4, s.backendsLine());
        Scenario.WorkloadLine w = s.workloads().get(0);
        assertEquals(List.of(5, 2, 1 << 20, 5L), List.of(w.line(), w.rounds(), w.size().intValue(), w.seed()));
        assertEquals(Map.of("maxseg", "4k", "mask", "64", "coherent", "false"), s.devices().get(0).settings());
        assertNull(parse("backends all\n").backends());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "rounds 0|scenario s:1: rounds must be 1..1000000, got 0",
        "\\n\\nfrobnicate 3|scenario s:3: unknown directive 'frobnicate'; expected rounds, size, seed, backends, workload, device or config",
        "size 12Q|scenario s:1: size must be a number (decimal or 0x hex), got '12Q'",
        "seed|scenario s:1: 'seed' takes exactly one value, got 0",
        "backends\\n|scenario s:1: 'backends' needs at least one backend name, or 'all'",
        "backends a\\nbackends b|scenario s:2: a second 'backends' line (the first is line 1)",
        "workload rounds=3|scenario s:1: 'workload' needs a workload name first, e.g. 'workload mmc rounds=8'",
        "workload mmc speed=3|scenario s:1: unknown workload setting 'speed'; known: rounds, seed, size",
        "workload mmc rounds|scenario s:1: 'rounds' is not KEY=VALUE",
        "workload mmc size=-4|scenario s:1: size must be 0..1T bytes, got -4",
        "device mmc1|scenario s:1: 'device' needs a device name and at least one KEY=VALUE, e.g. 'device mmc1 maxseg=4096'",
        "device mmc1 coherent=yes|scenario s:1: coherent must be true or false, got 'yes'",
        "device mmc1 colour=red|scenario s:1: unknown device setting 'colour'; known: boundary, buslimit, coherent, mask, maxseg, minalign, pci, sid, trusted",
        "workload mmc rounds=1 rounds=2|scenario s:1: 'rounds' given twice"})
    void badLinesAreNamedWithTheirNumber(String text, String message) {
        ScenarioException e = assertThrows(ScenarioException.class, () -> parse(text.replace("\\n", "\n")));
        assertEquals(message, e.getMessage());
    }
}
