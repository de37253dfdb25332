package org.iommulab.app.internal.html;

import java.util.ArrayList;
import java.util.List;

import org.iommulab.api.iommu.PageTableCensus;
import org.iommulab.app.internal.collect.IovaDomain;

/**
 * One domain's page-table tree, as its backend's census reports it: near the peak of the live
 * mappings (left) and at the end of the backend's group of runs (right), each a bar per level
 * for the tables it holds, then the block and page leaves and the table pages (4 KiB pages of
 * table memory), on one log scale so a tree of one table and thousands of pages both read.
 */
final class CensusPicture {
    private static final double WIDTH = 660;
    private static final double HALF = WIDTH / 2;
    private static final double LABEL_W = 86;
    private static final double BAR_W = 170;
    private static final double ROW = 14;
    private static final double TOP = 40;

    private CensusPicture() {
    }

    /** Null when the domain has no census (its backend keeps no tables or does not report them). */
    static String draw(IovaDomain d) {
        PageTableCensus peak = d.peakCensus();
        PageTableCensus end = d.endCensus();
        if (peak == null && end == null) {
            return null;
        }
        long max = 1;
        for (PageTableCensus c : new PageTableCensus[] {peak, end}) {
            if (c != null) {
                for (long[] row : rows(c)) {
                    max = Math.max(max, row[1]);
                }
            }
        }
        int rows = Math.max(peak == null ? 0 : rows(peak).size(), end == null ? 0 : rows(end).size());
        String title = d.device() + " on " + d.backend() + ": page-table tree";
        Svg svg = new Svg(WIDTH, TOP + rows * ROW + 10, "census", title);
        svg.text(8, 15, title, "title", "start");
        half(svg, 0, "near the peak (" + Html.bytes(d.peakCensusLive()) + " live)", peak, max);
        half(svg, HALF, "at the end of the group", end, max);
        return svg.end();
    }

    private static void half(Svg svg, double x0, String when, PageTableCensus c, long max) {
        svg.text(x0 + 8, TOP - 10, c == null ? when + ": not taken" : when, "axis", "start");
        if (c == null) {
            return;
        }
        svg.group("census-tree", "data-when", x0 == 0 ? "peak" : "end");
        int i = 0;
        for (long[] row : rows(c)) {
            String label = label(c, (int) row[0]);
            double y = TOP + i * ROW;
            svg.text(x0 + LABEL_W, y + 9, label, "axis", "end");
            double w = BAR_W * Math.log1p(row[1]) / Math.log1p(max);
            svg.rect(x0 + LABEL_W + 4, y, w, ROW - 3, "census-bar census-" + kind((int) row[0]), label + ": " + row[1],
                    "data-count", Long.toString(row[1]));
            svg.text(x0 + LABEL_W + 8 + w, y + 9, Long.toString(row[1]), "value", "start");
            i++;
        }
        svg.endGroup();
    }

    /** Row kinds: 0..3 the levels, 10 blocks, 11 pages, 12 table pages. */
    private static List<long[]> rows(PageTableCensus c) {
        List<long[]> out = new ArrayList<>();
        for (int i = 0; i < c.tablesPerLevel().size(); i++) {
            out.add(new long[] {c.firstLevel() + i, c.tablesPerLevel().get(i)});
        }
        out.add(new long[] {10, c.blocks()});
        out.add(new long[] {11, c.pages()});
        out.add(new long[] {12, (c.tableBytes() + 4095) / 4096});
        return out;
    }

    private static String label(PageTableCensus c, int kind) {
        switch (kind) {
            case 10: return "blocks";
            case 11: return "pages";
            case 12: return "table pages";
            default: return "L" + kind + " tables";
        }
    }

    private static String kind(int kind) {
        switch (kind) {
            case 10: return "blocks";
            case 11: return "pages";
            case 12: return "table-pages";
            default: return "tables";
        }
    }
}
