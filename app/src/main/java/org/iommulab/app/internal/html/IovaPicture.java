package org.iommulab.app.internal.html;

import java.util.List;

import org.iommulab.api.backend.ReservedRegion;
import org.iommulab.app.internal.collect.IovaDomain;

/**
 * One device's DMA address space on one backend over simulated time: each mapping a box from
 * the time it went live to the time it ended (x) over the addresses it took (y, highest on top),
 * the MSI doorbell's page marked where it falls inside the drawn span, and the reserved regions
 * the backend reported (iommu-dma: {@code iova_reserve_iommu_regions}) as bands of their kind's
 * colour where they cross the span, each listed in a legend below, inside the span or not.
 */
final class IovaPicture {
    private static final double WIDTH = 660;
    private static final double LEFT = 110;
    private static final double PLOT_W = WIDTH - LEFT - 16;
    private static final double PLOT_H = 150;
    private static final double TOP = 24;
    private static final double LEGEND_ROW = 14;
    private static final double LEGEND_W = 300;

    private IovaPicture() {
    }

    /**
     * @param now the simulated time the live ranges end at
     * @param msi bus addresses of the device's MSI doorbell, drawn as pages where inside the span
     */
    static String draw(IovaDomain d, long now, List<Long> msi) {
        List<IovaDomain.Range> ranges = d.ranges(now);
        List<ReservedRegion> reserved = d.reserved() == null ? List.of() : d.reserved();
        String title = d.device() + " on " + d.backend() + ": " + d.mappings() + " mapping(s), peak "
                + Html.bytes(d.liveBytes().peak()) + " live" + (d.downsamplings() > 0 ? ", downsampled "
                        + d.downsamplings() + "x" : "");
        int legendRows = (reserved.size() + 1) / 2;
        Svg svg = new Svg(WIDTH, TOP + PLOT_H + 30 + legendRows * LEGEND_ROW, "iova", title);
        svg.text(8, 15, title, "title", "start");
        if (ranges.isEmpty()) {
            svg.text(LEFT, TOP + 20, "no mapping", "axis", "start");
            return svg.end();
        }
        long lo = d.lowest() & ~0xfffL;
        long hi = (d.highest() + 0xfff) & ~0xfffL;
        long t0 = ranges.get(0).from();
        long t1 = t0 + 1;
        for (IovaDomain.Range r : ranges) {
            t1 = Math.max(t1, r.to());
        }
        double span = Math.max(1, hi - lo);
        double time = Math.max(1, t1 - t0);
        svg.line(LEFT, TOP, LEFT, TOP + PLOT_H, "grid", null);
        svg.line(LEFT, TOP + PLOT_H, LEFT + PLOT_W, TOP + PLOT_H, "grid", null);
        svg.text(LEFT - 4, TOP + 8, Html.hex(hi), "axis", "end");
        svg.text(LEFT - 4, TOP + PLOT_H, Html.hex(lo), "axis", "end");
        svg.text(LEFT, TOP + PLOT_H + 14, "sim " + Html.nanos(t0), "axis", "start");
        svg.text(LEFT + PLOT_W, TOP + PLOT_H + 14, "sim " + Html.nanos(t1), "axis", "end");
        drawReserved(svg, reserved, lo, hi, span);
        svg.group("ranges");
        for (IovaDomain.Range r : ranges) {
            double x = LEFT + PLOT_W * (r.from() - t0) / time;
            double w = Math.max(1, PLOT_W * (r.to() - r.from()) / time);
            double y = TOP + PLOT_H - PLOT_H * (r.address() + r.size() - lo) / span;
            double h = Math.max(1, PLOT_H * r.size() / span);
            svg.rect(x, y, w, h, "range", Html.hex(r.address()) + " + " + r.size() + ", sim " + Html.nanos(r.from()) + " to "
                    + Html.nanos(r.to()));
        }
        svg.endGroup();
        for (long m : msi) {
            long page = m & ~0xfffL;
            if (page >= lo && page < hi) {
                double y = TOP + PLOT_H - PLOT_H * (page + 0x1000 - lo) / span;
                svg.rect(LEFT, y, PLOT_W, Math.max(2, PLOT_H * 0x1000 / span), "msi", "MSI doorbell page " + Html.hex(page));
                svg.text(LEFT + PLOT_W - 2, y - 2, "MSI page " + Html.hex(page), "axis", "end");
            }
        }
        return svg.end();
    }

    /**
     * The reserved regions as bands across the plot where they cross {@code [lo, hi)}, behind
     * the mappings, and a legend row for each (two per row) saying whether it is in the span.
     */
    private static void drawReserved(Svg svg, List<ReservedRegion> reserved, long lo, long hi, double span) {
        if (reserved.isEmpty()) {
            return;
        }
        svg.group("reserved");
        for (int i = 0; i < reserved.size(); i++) {
            ReservedRegion r = reserved.get(i);
            String kind = r.kind().label();
            String what = kind + " " + Html.hex(r.start()) + " + " + Html.hex(r.length());
            // Unsigned: a region may end at the top of the 64-bit space.
            long first = Long.compareUnsigned(r.start(), lo) > 0 ? r.start() : lo;
            long last = Long.compareUnsigned(r.end(), hi - 1) < 0 ? r.end() : hi - 1;
            boolean inside = Long.compareUnsigned(first, last) <= 0;
            if (inside) {
                double y = TOP + PLOT_H - PLOT_H * (last + 1 - lo) / span;
                svg.rect(LEFT, y, PLOT_W, Math.max(2, PLOT_H * (last + 1 - first) / span), "resv resv-" + kind,
                        "reserved region " + what, "data-kind", kind);
            }
            double lx = 8 + (i % 2) * LEGEND_W;
            double ly = TOP + PLOT_H + 30 + (i / 2) * LEGEND_ROW;
            svg.rect(lx, ly - 8, 10, 8, "resv-key resv-" + kind, null, "data-kind", kind);
            svg.text(lx + 14, ly, what + (inside ? "" : " (outside the span)"), "axis", "start");
        }
        svg.endGroup();
    }
}
