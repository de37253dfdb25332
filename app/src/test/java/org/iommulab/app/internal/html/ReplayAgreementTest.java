package org.iommulab.app.internal.html;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.iommulab.app.internal.results.Json;
import org.junit.jupiter.api.Test;

/** The replay report's agreement section, drawn from replay records written by hand. */
class ReplayAgreementTest {
    /**
     * Two backends for nvme0 and one for mmc0. On smmu-v3 nvme0 had 4 traced dma_map_sg calls,
     * 3 with equal layouts, and 8 traced addresses: 5 equal, 1 not compared, so 8 - 1 - 5 = 2
     * differ. On direct: 4 of 4 layouts, 0 of 8 addresses equal, all 8 compared, so 8 differ.
     */
    private static final String DOC = """
            {"schemaVersion": 1, "kind": "replay", "records": [
             {"trace": "t.txt", "device": "nvme0", "backend": "smmu-v3", "sgLayoutEqual": 3, "sgCalls": 4,
              "addressesEqual": 5, "addressCalls": 8, "addressesNotCompared": 1},
             {"trace": "t.txt", "device": "nvme0", "backend": "direct", "sgLayoutEqual": 4, "sgCalls": 4,
              "addressesEqual": 0, "addressCalls": 8, "addressesNotCompared": 0},
             {"trace": "t.txt", "device": "mmc0", "backend": "smmu-v3", "sgLayoutEqual": 0, "sgCalls": 0,
              "addressesEqual": 2, "addressCalls": 2, "addressesNotCompared": 0}]}
            """;

    private static int count(String html, String regex) {
        Matcher m = Pattern.compile(regex).matcher(html);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    @Test
    void recordsAreReadWithTheDifferingAddressesWorkedOut() {
        List<ReplayAgreement> l = ReplayAgreement.fromDocument(Json.read(DOC));
        assertEquals(3, l.size());
        assertEquals(new ReplayAgreement("t.txt", "nvme0", "smmu-v3", 3, 4, 5, 8, 1), l.get(0));
        assertEquals(2, l.get(0).addressesDiffering());
        assertEquals(8, l.get(1).addressesDiffering());
    }

    /**
     * One picture per device, one group per backend. Bars are 300 wide from x = 190: on smmu-v3
     * the layouts split 3/4 = 225 agreeing and 1/4 = 75 other (from x = 415); the addresses (the
     * second bar, 12 + 3 lower at y = 41) 5/8 = 187.5 agreeing, 2/8 = 75 differing from
     * x = 377.5, 1/8 = 37.5 not compared from x = 452.5.
     */
    @Test
    void eachDeviceGetsABarPerBackendToScale() {
        String html = HtmlPage.fragment(List.of(RunReport.replayAgreement(ReplayAgreement.fromDocument(Json.read(DOC)), null)));
        assertEquals(2, count(html, "<svg [^>]*class=\"agreement\""));
        assertEquals(3, count(html, "<g class=\"agreement-group\""));
        assertTrue(html.contains("class=\"agree\" x=\"190\" y=\"26\" width=\"225\""), html);
        assertTrue(html.contains("class=\"sg-other\" x=\"415\" y=\"26\" width=\"75\""), html);
        assertTrue(html.contains("class=\"agree\" x=\"190\" y=\"41\" width=\"187.5\""), html);
        assertTrue(html.contains("class=\"differ\" x=\"377.5\" y=\"41\" width=\"75\""), html);
        assertTrue(html.contains("class=\"notcompared\" x=\"452.5\" y=\"41\" width=\"37.5\""), html);
        assertTrue(html.contains(">5/8 addresses equal, 2 differ, 1 not compared</text>"), html);
        assertTrue(html.contains(">none in the trace</text>"), "mmc0 had no dma_map_sg");
    }

    @Test
    void unreadRecordsAreSaidNotDrawn() {
        String html = HtmlPage.fragment(List.of(RunReport.replayAgreement(null, "the replay did not write them")));
        assertEquals(0, count(html, "<svg [^>]*class=\"agreement\""));
        assertTrue(html.contains("could not be read: the replay did not write them"), html);
        assertThrows(IllegalArgumentException.class,
                () -> ReplayAgreement.fromDocument(Json.read("{\"kind\": \"sweep\", \"records\": []}")));
        assertThrows(IllegalArgumentException.class, () -> ReplayAgreement.fromDocument(
                Json.read("{\"kind\": \"replay\", \"records\": [{\"trace\": \"t\", \"sgCalls\": 1}]}")));
    }
}
