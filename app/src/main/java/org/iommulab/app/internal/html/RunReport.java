package org.iommulab.app.internal.html;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.iommulab.api.swiotlb.SwiotlbStats;
import org.iommulab.app.internal.collect.IovaDomain;
import org.iommulab.app.internal.collect.RunCollector;
import org.iommulab.app.internal.report.ResultRow;
import org.iommulab.devices.SgLayout;

/**
 * The main job's report: the same result rows its table prints, drawn. The seed picture for
 * every backend where the seeded-bug workload recorded a list, merging backends each beside a
 * non-merging one; then one bar picture per workload.
 */
public final class RunReport {
    /** The seeded-bug workload: the one that pairs DMA segment N with CPU entry N. */
    static final String SEEDED = "mmc-buggy";

    private RunReport() {
    }

    /** The seed pictures: each merging backend's list beside the first non-merging backend's. */
    public static Section seed(List<ResultRow> rows) {
        List<ResultRow> merging = new ArrayList<>();
        ResultRow plain = null;
        for (ResultRow r : rows) {
            SgLayout l = layout(r);
            if (l == null || l.pairs().isEmpty()) {
                continue;
            }
            if (l.merged()) {
                merging.add(r);
            } else if (plain == null) {
                plain = r;
            }
        }
        StringBuilder b = new StringBuilder();
        if (merging.isEmpty() && plain == null) {
            b.append("<p class=\"notdrawn\">No run of the seeded-bug workload (").append(SEEDED)
                    .append(") recorded a scatterlist: it was not in the run, or did not run.</p>\n");
        }
        for (ResultRow m : merging) {
            b.append("<div class=\"row seed-row\" data-backend=\"").append(Html.esc(m.backend())).append("\">\n")
                    .append(SeedPicture.draw(m.backend(), layout(m)));
            if (plain != null) {
                b.append(SeedPicture.draw(plain.backend(), layout(plain)));
            }
            b.append("</div>\n");
        }
        if (merging.isEmpty() && plain != null) {
            b.append("<p class=\"notdrawn\">No backend in the run merged the list.</p>\n<div class=\"row seed-row\">")
                    .append(SeedPicture.draw(plain.backend(), layout(plain))).append("</div>\n");
        }
        return new Section("seed", "The seed case: DMA segment N paired with CPU entry N",
                "The first merged request of " + SEEDED + " on each backend: CPU entries (left, blue) and the DMA segments "
                        + "the backend returned (right; the part the driver moves by PIO in amber), to scale, the grey bands "
                        + "showing which entries a segment really covers. Lines: the driver's pairing of segment N with entry N, "
                        + "red where it put bytes in the wrong place, with how many.",
                b.toString());
    }

    /** One bar picture per workload, in the run's order, one bar group per backend. */
    public static Section bars(List<ResultRow> rows) {
        Map<String, List<ResultRow>> byWorkload = new LinkedHashMap<>();
        for (ResultRow r : rows) {
            byWorkload.computeIfAbsent(r.workload(), w -> new ArrayList<>()).add(r);
        }
        StringBuilder b = new StringBuilder("<div class=\"row\">\n");
        for (Map.Entry<String, List<ResultRow>> e : byWorkload.entrySet()) {
            b.append(BarsPicture.draw(e.getKey(), e.getValue()));
        }
        b.append("</div>\n");
        return new Section("bars", "Each workload on each backend",
                "The figures of the table, per workload: bounced bytes, IOTLB hit rate (no bar: no IOTLB lookups), DMA segments "
                        + "per scatterlist, faults, checker findings and data errors (with failed mappings), each row scaled to "
                        + "its largest value.",
                b.toString());
    }

    /**
     * Each device's DMA address space per backend over simulated time (behind an IOMMU, its
     * domain's IOVA space), grouped by backend.
     *
     * @param msi each device's MSI doorbell bus addresses, as its log gives them
     */
    public static Section addressSpaces(RunCollector c, Map<String, List<Long>> msi) {
        Map<String, List<IovaDomain>> byBackend = new LinkedHashMap<>();
        for (IovaDomain d : c.domains()) {
            byBackend.computeIfAbsent(d.backend(), b -> new ArrayList<>()).add(d);
        }
        StringBuilder b = new StringBuilder();
        if (byBackend.isEmpty()) {
            b.append("<p class=\"notdrawn\">No mapping was made while the report was collected.</p>\n");
        }
        boolean first = true;
        for (Map.Entry<String, List<IovaDomain>> e : byBackend.entrySet()) {
            b.append("<details class=\"backend-space\" data-backend=\"").append(Html.esc(e.getKey())).append('"')
                    .append(first ? " open" : "").append("><summary>").append(Html.esc(e.getKey())).append(": ")
                    .append(e.getValue().size()).append(" device(s)</summary>\n<div class=\"row\">\n");
            for (IovaDomain d : e.getValue()) {
                b.append(IovaPicture.draw(d, c.lastTime(), msi.getOrDefault(d.device(), List.of())));
                String census = CensusPicture.draw(d);
                if (census != null) {
                    b.append(census);
                }
            }
            b.append("</div></details>\n");
            first = false;
        }
        return new Section("iova", "DMA address space of each device, per backend, over simulated time",
                "Every mapping and coherent buffer as a box: from the simulated time it went live to the time it ended (x), "
                        + "over the addresses the device used (y, highest on top; behind an IOMMU these are the domain's "
                        + "IOVAs). The MSI doorbell's page is marked in red where it falls inside the span. The reserved "
                        + "regions the backend reported (behind iommu-dma: the PCI host bridge's windows, the IOMMU "
                        + "driver's reserved, MSI and direct regions, and the software MSI window it allocates doorbell "
                        + "pages from) are bands of their kind's colour where they cross the span, and each is listed "
                        + "below its picture. Under each IOMMU domain's picture, its page-table tree as the driver's census "
                        + "counts it (tables per level, block and page leaves, table pages), near the peak of its live "
                        + "mappings (taken each time the live bytes doubled, so within a factor of two of the peak) and at "
                        + "the end of the backend's group of runs, on a log scale.",
                b.toString());
    }

    /**
     * For a replay: each device's live mappings and the bytes they map over trace time (the
     * replay moves the simulated clock to the trace's timestamps), per backend replayed.
     */
    public static Section replayFootprint(RunCollector c) {
        StringBuilder b = new StringBuilder("<div class=\"row\">\n");
        for (IovaDomain d : c.domains()) {
            b.append(SeriesPicture.draw("live-count", d.device() + " on " + d.backend() + ": live mappings", d.liveCount(), -1,
                    null, "mappings"));
            b.append(SeriesPicture.draw("footprint", d.device() + " on " + d.backend() + ": bytes mapped (IOVA footprint)",
                    d.liveBytes(), -1, null, "bytes"));
        }
        b.append("</div>\n");
        return new Section("replay", "The replay: live mappings and IOVA footprint per device over trace time",
                "For each device of the trace and each backend it was replayed on: how many mappings were live and how many "
                        + "bytes they mapped, over the simulated clock, which the replay moves with the trace's timestamps (the "
                        + "clock never goes back, so each backend's replay starts where the one before ended).",
                b.toString());
    }

    /**
     * For a replay: per trace device, per backend, where the replay's scatterlist layouts and
     * addresses agree with the trace's.
     *
     * @param records the replay's records, or null when they could not be read
     * @param unread why they could not be read (when {@code records} is null)
     */
    public static Section replayAgreement(List<ReplayAgreement> records, String unread) {
        StringBuilder b = new StringBuilder();
        if (records == null) {
            b.append("<p class=\"notdrawn\">The replay's records could not be read: ").append(Html.esc(unread))
                    .append("</p>\n");
        } else if (records.isEmpty()) {
            b.append("<p class=\"notdrawn\">The replay made no record (no trace device was replayed).</p>\n");
        } else {
            Map<String, List<ReplayAgreement>> byDevice = new LinkedHashMap<>();
            for (ReplayAgreement a : records) {
                byDevice.computeIfAbsent(a.trace() + "\u0000" + a.device(), k -> new ArrayList<>()).add(a);
            }
            b.append("<div class=\"row\">\n");
            for (List<ReplayAgreement> l : byDevice.values()) {
                String device = l.get(0).device().isEmpty() ? "(no device)" : l.get(0).device();
                b.append(AgreementPicture.draw(device + " (" + l.get(0).trace() + ")", l));
            }
            b.append("</div>\n");
        }
        return new Section("agreement", "Where the replay agrees with the trace",
                "For each device of the trace and each backend it was replayed on (the replay's --json records): of the "
                        + "traced dma_map_sg calls that succeeded, those the replay mapped to the same DMA segment layout "
                        + "(green) and the rest (amber: differing or not mapped; the records do not split them); of the traced "
                        + "calls that returned an address, those the replay gave the same address (green), a different one "
                        + "(red), or could not compare (grey: skipped, failed or unavailable).",
                b.toString());
    }

    /** The swiotlb pool's slots in use over simulated time, with its high-water mark. */
    public static Section pool(RunCollector c) {
        SwiotlbStats now = c.poolNow();
        String body;
        if (now == null) {
            body = "<p class=\"notdrawn\">No swiotlb pool is running.</p>\n";
        } else {
            body = SeriesPicture.draw("pool", "swiotlb pool: slots in use of " + now.totalSlots() + " (2 KiB each)",
                    c.poolUsed(), now.highWaterSlots(), "high water", "slots");
        }
        return new Section("swiotlb", "swiotlb pool occupancy over simulated time",
                "Slots in use (io_tlb_used) sampled at every mapping change of any device: the shaded columns are the most "
                        + "in use within each time bucket, the line the value at its end; the dashed line is the pool's own "
                        + "high-water mark (io_tlb_used_hiwater) since the platform started. An unmap is sampled before the "
                        + "backend frees its slots, so a drop shows at the next change.",
                body);
    }

    /** Each device's MSI doorbell bus addresses, from its log lines. */
    public static Map<String, List<Long>> msiAddresses(Map<String, List<String>> logs) {
        return ReportFile.msiAddresses(logs);
    }

    private static SgLayout layout(ResultRow r) {
        return r.report() == null ? null : r.report().sgLayout();
    }
}
