package org.iommulab.app.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.iommulab.api.admin.DeviceStatus;
import org.iommulab.app.internal.collect.DomainProbe;
import org.iommulab.app.internal.collect.RunCollector;
import org.iommulab.app.internal.html.ReportFile;
import org.iommulab.app.internal.report.ResultRow;
import org.iommulab.app.internal.scenario.ScenarioParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTML report of a main-job run on direct, swiotlb and the generic IOMMU, every workload:
 * drawn from the same rows the table prints and from what the collector heard.
 */
class ReportRunTest {
    private final AppHarness h = new AppHarness();

    private String report(Path dir) throws IOException {
        h.directAndSwiotlb().generic().allDevices();
        RunCollector collector = new RunCollector(() -> h.pool.stats(), DomainProbe.of(h.platform));
        h.platform.addMappingListener(collector);
        List<List<ResultRow>> rows = new ArrayList<>();
        assertEquals(0, h.run(ScenarioParser.parse("t.scenario", new StringReader("rounds 2\n")), rows::add, collector::groupEnded), h.text());
        h.platform.removeMappingListener(collector);
        Map<String, List<String>> logs = new LinkedHashMap<>();
        for (DeviceStatus d : h.platform.devices()) {
            logs.put(d.name(), h.platform.log(d.name()));
        }
        Path file = dir.resolve("report.html");
        ReportFile.write(file, "test run", rows.get(0), collector, logs);
        return Files.readString(file, StandardCharsets.UTF_8);
    }

    private static int count(String html, String regex) {
        Matcher m = Pattern.compile(regex).matcher(html);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    /**
     * Of the three backends only generic merges the mmc-buggy list (64 KiB in 16 pages into one
     * segment), so one seed row: generic's picture with one wrong pair (segment 0 to entry 0,
     * 61440 bytes misplaced, worked out in SeedCaseOnGenericIommuTest) beside direct's 16 pairs
     * that hold.
     */
    @Test
    void theSeedPictureShowsTheWrongPairOnTheMergingBackendBesideTheNonMergingOne(@TempDir Path dir) throws IOException {
        String html = report(dir);
        assertEquals(1, count(html, "<div class=\"row seed-row\" data-backend=\"generic\">"), "one seed row, generic's");
        String seedRow = html.substring(html.indexOf("<div class=\"row seed-row\""), html.indexOf("</div>",
                html.indexOf("<div class=\"row seed-row\"")));
        assertEquals(1, count(seedRow, "<line class=\"pair wrong\""), seedRow);
        assertEquals(16, count(seedRow, "<line class=\"pair ok\""), "direct's 16 segments each paired with its entry");
        assertTrue(seedRow.contains(">61440 B misplaced</text>"), seedRow);
        assertTrue(seedRow.contains("aria-label=\"generic (merged): 16 CPU entries, 1 DMA segment(s); 1 wrong pair(s), "
                + "61440 bytes misplaced\""), seedRow);
        assertTrue(seedRow.contains("aria-label=\"direct (not merged): 16 CPU entries, 16 DMA segment(s); 0 wrong pair(s)"),
                seedRow);
    }

    /** Seven workloads, three backends: seven bar pictures of three groups, six bars each. */
    @Test
    void eachWorkloadHasOneBarGroupPerBackend(@TempDir Path dir) throws IOException {
        String html = report(dir);
        assertEquals(7, count(html, "<svg [^>]*class=\"bars\""));
        assertEquals(21, count(html, "<g class=\"backend-group c[0-7]\""));
        assertEquals(7, count(html, "<g class=\"backend-group c2\" data-backend=\"generic\""));
        assertEquals(21 * 6, count(html, "<rect class=\"bar\""));
        // swiotlb bounces every byte: its bounced-bytes bar is the longest (300 px) for the loopback workload.
        String loop = html.substring(html.indexOf("aria-label=\"loopback on 3 backend(s)\""));
        loop = loop.substring(0, loop.indexOf("</svg>"));
        assertTrue(loop.contains("<title>swiotlb: bounced bytes"), loop);
        assertTrue(Pattern.compile("<rect class=\"bar\" x=\"170\" y=\"[0-9.]+\" width=\"300\" height=\"12\" data-metric=\"bounced\">"
                + "<title>swiotlb: bounced bytes").matcher(loop).find(), loop);
    }

    @Test
    void theAddressSpacesAndThePoolAreDrawnAgainstSimulatedTime(@TempDir Path dir) throws IOException {
        String html = report(dir);
        assertTrue(html.contains("<details class=\"backend-space\" data-backend=\"generic\""), "a group for generic");
        assertTrue(count(html, "<svg [^>]*class=\"iova\"") >= 7 * 3, "each device that ran, on each backend");
        assertTrue(count(html, "<rect class=\"range\"") > 100, "mappings drawn");
        assertTrue(html.contains("class=\"msi\""), "an MSI page marked (the nvme device enables MSI at probe)");
        assertEquals(1, count(html, "<svg [^>]*class=\"pool\""));
        assertTrue(Pattern.compile("<line class=\"hiwater\"[^>]*><title>high water: [1-9][0-9]* slots").matcher(html).find(),
                "swiotlb bounced, so its high-water mark is above 0");
        assertFalse(html.contains("<script"), "no script");
        assertFalse(html.contains("http://") && html.replace("http://www.w3.org/2000/svg", "").contains("http://"),
                "nothing fetched from anywhere");
    }

    /**
     * The reserved regions each backend reported, drawn on each address space by kind. The
     * generic IOMMU reports arm-smmu's software MSI window for every device
     * ({@code MSI_IOVA_BASE} 0x8000000, {@code MSI_IOVA_LENGTH} 0x100000), which iommu-dma
     * leaves unreserved; for a PCI device iommu-dma also reserves QEMU virt's two host-bridge
     * windows ({@code iova_reserve_pci_windows}). direct and swiotlb reserve nothing.
     */
    @Test
    void theReservedRegionsAreMarkedPerKindOnEachAddressSpace(@TempDir Path dir) throws IOException {
        String html = report(dir);
        Matcher svg = Pattern.compile("<svg [^>]*class=\"iova\" [^>]*aria-label=\"([^ ]+) on ([^:]+):[^\"]*\">(.*?)</svg>",
                Pattern.DOTALL).matcher(html);
        int generic = 0;
        boolean pciSeen = false;
        while (svg.find()) {
            String body = svg.group(3);
            if (svg.group(2).equals("generic")) {
                generic++;
                assertEquals(1, count(body, "<rect class=\"resv-key resv-sw-msi\"[^>]* data-kind=\"sw-msi\""),
                        svg.group(1) + " on generic: the SW_MSI window in the legend");
                assertTrue(body.contains("sw-msi 0x8000000 + 0x100000"), svg.group(1) + ": the window's bounds");
                int windows = count(body, "<rect class=\"resv-key resv-pci-window\"");
                assertTrue(windows == 0 || windows == 2, svg.group(1) + ": both bridge windows or none");
                if (windows == 2) {
                    pciSeen = true;
                    assertTrue(body.contains("pci-window 0x10000000 + 0x2eff0000"), svg.group(1) + ": the 32-bit window");
                    assertTrue(body.contains("pci-window 0x8000000000 + 0x8000000000"), svg.group(1) + ": the 64-bit window");
                }
            } else {
                assertFalse(body.contains("resv"), svg.group(1) + " on " + svg.group(2) + " reserves nothing");
            }
        }
        assertTrue(generic >= 7, "every device that ran on generic");
        assertTrue(pciSeen, "a PCI device (nvme) with the host bridge's windows");
    }

    /**
     * The page-table census: the generic IOMMU's domains are 48-bit, 4 KiB-granule LPAE stage-1
     * tables, so each tree starts at level 0 with one table and has levels 0 to 3; each domain
     * that mapped gets one census picture with both censuses (near the peak and at the group's
     * end), and its table pages are at least its tables (one 4 KiB page per 4 KiB table).
     * direct and swiotlb have no tables and get none.
     */
    @Test
    void eachIommuDomainHasOneCensusPictureWithTablesPerLevel(@TempDir Path dir) throws IOException {
        String html = report(dir);
        Matcher svg = Pattern.compile("<svg [^>]*class=\"census\" [^>]*aria-label=\"([^ ]+) on ([^:]+):[^\"]*\">(.*?)</svg>",
                Pattern.DOTALL).matcher(html);
        int n = 0;
        while (svg.find()) {
            n++;
            assertEquals("generic", svg.group(2), "only IOMMU domains have a census: " + svg.group(1));
            String body = svg.group(3);
            for (String when : new String[] {"peak", "end"}) {
                Matcher tree = Pattern.compile("<g class=\"census-tree\" data-when=\"" + when + "\">(.*?)</g>", Pattern.DOTALL)
                        .matcher(body);
                assertTrue(tree.find(), svg.group(1) + ": the census " + when);
                List<Long> counts = new ArrayList<>();
                Matcher c = Pattern.compile("data-count=\"(\\d+)\"").matcher(tree.group(1));
                while (c.find()) {
                    counts.add(Long.parseLong(c.group(1)));
                }
                // L0, L1, L2, L3, blocks, pages, table pages
                assertEquals(7, counts.size(), svg.group(1) + " " + when + ": " + counts);
                assertEquals(1L, counts.get(0), svg.group(1) + " " + when + ": one level-0 table");
                long tables = counts.get(0) + counts.get(1) + counts.get(2) + counts.get(3);
                assertTrue(counts.get(6) >= tables, svg.group(1) + " " + when + ": a page per table at least: " + counts);
                if (when.equals("peak")) {
                    assertTrue(counts.get(4) + counts.get(5) > 0, svg.group(1) + ": something mapped at the peak");
                }
            }
        }
        assertTrue(n >= 7, "every device that ran on generic: " + n);
    }

    /**
     * A replay's footprint: two mappings of 4 KiB and 8 KiB live together, then one ends; the
     * pictures' ceilings are the peaks, 2 mappings and 12288 bytes.
     */
    @Test
    void aReplaysFootprintIsDrawnPerDeviceAndBackend() {
        RunCollector c = new RunCollector(null);
        c.mappingChanged("0000:01:00.0", "smmu-v3", true, 0xfffff000L, 4096, 1_000);
        c.mappingChanged("0000:01:00.0", "smmu-v3", true, 0xffffd000L, 8192, 2_000);
        c.mappingChanged("0000:01:00.0", "smmu-v3", false, 0xfffff000L, 4096, 3_000);
        String html = org.iommulab.app.internal.html.HtmlPage.fragment(
                List.of(org.iommulab.app.internal.html.RunReport.replayFootprint(c)));
        assertEquals(1, count(html, "<svg [^>]*class=\"live-count\""));
        assertEquals(1, count(html, "<svg [^>]*class=\"footprint\""));
        assertTrue(html.contains(">2 mappings</text>"), html);
        assertTrue(html.contains(">12288 bytes</text>"), html);
    }
}
