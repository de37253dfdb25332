package org.iommulab.replay.internal.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import org.iommulab.replay.TraceReplay;
import org.iommulab.replay.internal.fake.FakeBackend;
import org.iommulab.replay.internal.fake.FakePlatform;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplayCommandTest {
    private final FakePlatform platform = new FakePlatform(FakeBackend.DIRECT, FakeBackend.IOMMU);
    private final ReplayCommand command = new ReplayCommand(platform, platform::lookup);
    private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    private Path sample(String name, boolean gzip) throws IOException {
        Path p = dir.resolve(name + (gzip ? ".gz" : ""));
        try (InputStream in = getClass().getResourceAsStream("/traces/" + name);
                OutputStream o = gzip ? new GZIPOutputStream(Files.newOutputStream(p)) : Files.newOutputStream(p)) {
            in.transferTo(o);
        }
        return p;
    }

    private String output() {
        return buf.toString(StandardCharsets.UTF_8);
    }

    @Test
    void replaysACompressedTraceOnOneBackend() throws IOException {
        Path trace = sample("sample-6.12-ftrace.txt", true);
        int rc = command.run(List.of("replay", trace.toString(), "--backend", "iommu", "--quiet"), out);
        assertEquals(TraceReplay.OK, rc, output());
        assertTrue(output().contains("(gzip): 49 lines, 32 events"), output());
        assertTrue(output().contains("backend iommu:"), output());
        assertTrue(!output().contains("backend direct:"), output());
        assertNotNull(command.lastSummary());
        assertEquals(1, command.lastSummary().backends().size());
    }

    @Test
    void everyBackendWithoutBackendOptionAndADeviceFile() throws IOException {
        Path trace = sample("sample-dma-phys-trace-cmd.txt", false);
        Path devices = dir.resolve("devices.conf");
        Files.writeString(devices, "device.0000:00:02.0.mask = 40\ndevice.fe300000.mmc.name = sdhci0\n");
        int rc = command.run(List.of(trace.toString(), "--devices", devices.toString(), "--sg-guess",
                "--set", "device.fe300000.mmc.coherent=false"), out);
        assertEquals(TraceReplay.OK, rc, output());
        assertTrue(output().contains("backend direct:") && output().contains("backend iommu:"), output());
        assertTrue(output().contains("sdhci0"), output());
        assertTrue(output().contains("40-bit"), output());
        assertEquals(1, command.lastSummary().backend("direct").total().sgGuessed());
    }

    /** --calls: one JSON object per traced DMA-API call and backend, so anyone can audit a figure. */
    @Test
    void callsFileHasOneJsonLinePerTracedCall() throws IOException {
        Path trace = sample("sample-6.12-ftrace.txt", false);
        Path calls = dir.resolve("calls.jsonl");
        int rc = command.run(List.of(trace.toString(), "--backend", "iommu", "--calls", calls.toString(), "--quiet"), out);
        assertEquals(TraceReplay.OK, rc, output());
        List<String> lines = Files.readAllLines(calls);
        assertEquals(command.lastSummary().backend("iommu").total().calls(), lines.size(), "one line per DMA-API call");
        for (String l : lines) {
            assertTrue(l.startsWith("{\"backend\":\"iommu\",\"line\":") && l.endsWith("}"), l);
            assertTrue(l.contains("\"trace_dma\":") && l.contains("\"replayed_dma\":") && l.contains("\"layout_equal\":")
                    && l.contains("\"reason\":"), l);
        }
        // The NIC's unmap with the wrong size (line 31 of the sample) names the checker's refusal.
        assertTrue(lines.stream().anyMatch(l -> l.contains("\"line\":31,") && l.contains("\"outcome\":\"misuse\"")),
                String.join("\n", lines));
        assertTrue(output().contains("one line per call written to " + calls), output());
        assertEquals(TraceReplay.USAGE, command.run(List.of(trace.toString(), "--calls"), out));
    }

    @Test
    void badArgumentsPrintUsageAndReplayNothing() throws IOException {
        Path trace = sample("sample-6.12-ftrace.txt", false);
        assertEquals(TraceReplay.USAGE, command.run(List.of(), out));
        assertTrue(output().contains("no trace file given"));
        assertTrue(output().contains("usage: replay TRACE"));
        assertEquals(TraceReplay.USAGE, command.run(List.of(trace.toString(), "--frobnicate"), out));
        assertEquals(TraceReplay.USAGE, command.run(List.of(trace.toString(), "--backend"), out));
        // A missing trace is a run that failed (1), not a bad command line: ReplayExitStatusTest.
        assertEquals(TraceReplay.USAGE, command.run(List.of(trace.toString(), "--granule", "3000"), out));
        assertEquals(TraceReplay.USAGE, command.run(List.of(trace.toString(), "--backend", "smmu-v9"), out));
        assertTrue(output().contains("unknown backend 'smmu-v9'"), output());
        Path devices = dir.resolve("bad.conf");
        Files.writeString(devices, "default.mask = 64\ndefault.mask = lots\n");
        assertEquals(TraceReplay.USAGE, command.run(List.of(trace.toString(), "--devices", devices.toString()), out));
        assertTrue(output().contains("bad.conf:2: bad mask 'lots'"), output());
        assertNull(command.lastSummary());
        assertTrue(platform.devices().isEmpty());
    }

    /** Several traces in one run, and --json/--csv: one record per trace, backend and trace device. */
    @Test
    void severalTracesAndTheirRecords() throws IOException {
        Path a = sample("sample-6.12-ftrace.txt", false);
        Path b = sample("sample-dma-phys-trace-cmd.txt", false);
        Path json = dir.resolve("r.json");
        Path csv = dir.resolve("r.csv");
        int rc = command.run(List.of(a.toString(), b.toString(), "--backend", "iommu", "--sg-guess", "--json", json.toString(),
                "--csv", csv.toString(), "--quiet"), out);
        assertEquals(TraceReplay.OK, rc, output());
        assertTrue(output().contains("replay: trace 1 of 2: " + a) && output().contains("replay: trace 2 of 2: " + b), output());
        String text = Files.readString(json);
        assertTrue(text.contains("\"kind\": \"replay\"") && text.contains("\"schemaVersion\": 1"), text);
        assertTrue(text.contains("\"trace\": \"" + a + "\"") && text.contains("\"trace\": \"" + b + "\""), text);
        assertTrue(text.contains("\"sgGuess\": true"), text);
        List<String> lines = Files.readAllLines(csv);
        assertTrue(lines.get(0).startsWith("index,trace,traceIndex,backend,traceDevice,device,options,"), lines.get(0));
        // one header line, then one per (trace, backend, trace device): both traces on iommu
        long records = text.lines().filter(l -> l.trim().startsWith("\"index\"")).count();
        assertEquals(records + 1, lines.size(), text);
        assertTrue(records >= 2, text);
        assertEquals(TraceReplay.USAGE, command.run(List.of(a.toString(), b.toString(), "--calls", "c.jsonl"), out));
        assertTrue(output().contains("--calls takes one trace; got 2"), output());
    }

    @Test
    void helpIsNotAnError() {
        assertEquals(TraceReplay.OK, command.run(List.of("--help"), out));
        assertTrue(output().startsWith("usage: replay TRACE"));
    }

    @Test
    void argumentParsing() {
        ReplayArgs a = ReplayArgs.parse(List.of("t.xz", "--backend", "direct", "--backend", "smmu-v3", "--granule", "0x10000",
                "--keep-devices", "--set", "default.mask=32"));
        assertEquals("t.xz", a.trace());
        assertEquals(List.of("direct", "smmu-v3"), a.backends());
        assertEquals(65536, a.granule());
        assertTrue(a.keepDevices());
        assertEquals(List.of("default.mask=32"), a.settings());
        // the defaults: no option given
        ReplayArgs d = ReplayArgs.parse(List.of("replay", "t.txt"));
        assertEquals(List.of("t.txt"), d.traces());
        assertEquals(List.of(), d.backends());
        assertEquals(4096, d.granule());
        assertFalse(d.sgGuess() || d.keepDevices() || d.quiet());
        assertNull(d.devicesFile());
        assertNull(d.callsFile());
    }

    /** The checks picocli makes (wording picocli's) and the replay's own across options. */
    @Test
    void argumentErrors() {
        assertThrows(IllegalArgumentException.class, () -> ReplayArgs.parse(List.of("t", "--devices", "a", "--devices", "b")));
        assertThrows(IllegalArgumentException.class, () -> ReplayArgs.parse(List.of("t", "--backend")));
        assertThrows(IllegalArgumentException.class, () -> ReplayArgs.parse(List.of("t", "--backend", "--quiet")));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ReplayArgs.parse(List.of("t", "--frobnicate")))
                .getMessage().contains("--frobnicate"));
        assertEquals("--granule needs a number of bytes",
                assertThrows(IllegalArgumentException.class, () -> ReplayArgs.parse(List.of("t", "--granule", "4k"))).getMessage());
        assertEquals("no trace file given",
                assertThrows(IllegalArgumentException.class, () -> ReplayArgs.parse(List.of("--quiet"))).getMessage());
        assertEquals("--calls takes one trace; got 2",
                assertThrows(IllegalArgumentException.class, () -> ReplayArgs.parse(List.of("a", "b", "--calls", "c"))).getMessage());
    }

    /** The usage picocli renders names every option the parser reads. */
    @Test
    void usageNamesEveryOption() {
        List<String> names = ReplayArgs.optionNames();
        assertEquals(List.of("--backend", "--devices", "--set", "--sg-guess", "--granule", "--keep-devices", "--calls", "--json",
                "--csv", "--quiet"), names);
        for (String n : names) {
            assertTrue(ReplayArgs.USAGE.contains("  " + n), n + " in\n" + ReplayArgs.USAGE);
        }
        assertTrue(ReplayArgs.USAGE.startsWith("usage: replay TRACE..."), ReplayArgs.USAGE);
    }
}
