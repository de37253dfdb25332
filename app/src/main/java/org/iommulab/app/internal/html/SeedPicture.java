package org.iommulab.app.internal.html;

import org.iommulab.devices.SgLayout;

/**
 * The seed case as a picture: one mapped scatterlist, its CPU entries (left) beside its DMA
 * segments (right), both drawn to scale by their place in the transfer, so a segment lines up
 * with the entries it really covers (grey band). The driver's own pairing of segment N with
 * entry N is drawn between them: black where it held, red where it put bytes in the wrong place,
 * labelled with how many. On a merging backend segment N spans several entries and the pairing
 * breaks; on a non-merging one every segment is one entry and every pair holds.
 */
final class SeedPicture {
    private static final double TOP = 34;
    private static final double ENTRY_X = 150;
    private static final double BOX_W = 110;
    private static final double SEG_X = 420;
    private static final double WIDTH = 660;

    private SeedPicture() {
    }

    /**
     * @param backend the backend the list was mapped on
     * @param layout the list as the driver recorded it
     */
    static String draw(String backend, SgLayout layout) {
        long total = 0;
        for (int e = 0; e < layout.entries(); e++) {
            total += layout.cpuLength(e);
        }
        double height = Math.min(640, Math.max(200, layout.entries() * 24.0));
        double scale = height / Math.max(1, total);
        long wrong = layout.pairs().stream().filter(SgLayout.Pair::wrong).count();
        String title = backend + (layout.merged() ? " (merged)" : " (not merged)") + ": " + layout.entries()
                + " CPU entries, " + layout.segments() + " DMA segment(s); " + wrong + " wrong pair(s), "
                + layout.misplacedBytes() + " bytes misplaced";
        Svg svg = new Svg(WIDTH, TOP + height + 16, "seed", title);
        svg.text(8, 14, title, "title", "start");
        svg.text(ENTRY_X + BOX_W / 2, TOP - 6, "CPU view (orig_nents)", "axis", "middle");
        svg.text(SEG_X + BOX_W / 2, TOP - 6, "DMA view (nents)", "axis", "middle");

        // What each segment really covers: a band from its entries to it.
        long at = 0;
        svg.group("covers");
        for (int s = 0; s < layout.segments(); s++) {
            int[] c = layout.covered(s);
            double ey0 = TOP + offsetOf(layout, c[0]) * scale;
            double ey1 = TOP + (offsetOf(layout, c[1]) + layout.cpuLength(c[1])) * scale;
            double sy0 = TOP + at * scale;
            double sy1 = TOP + (at + layout.dmaLength(s)) * scale;
            svg.poly(new double[] {ENTRY_X + BOX_W, ey0, SEG_X, sy0, SEG_X, sy1, ENTRY_X + BOX_W, ey1}, true, "cover",
                    "segment " + s + " covers entries " + c[0] + ".." + c[1]);
            at += layout.dmaLength(s);
        }
        svg.endGroup();

        svg.group("entries");
        for (int e = 0; e < layout.entries(); e++) {
            double y = TOP + offsetOf(layout, e) * scale;
            double h = layout.cpuLength(e) * scale;
            svg.rect(ENTRY_X, y + 1, BOX_W, h - 2, "entry", "entry " + e + ": " + Html.hex(layout.cpuAddress(e)) + " + "
                    + layout.cpuLength(e), "data-entry", Integer.toString(e));
            if (h >= 11) {
                svg.text(ENTRY_X - 6, y + h / 2 + 4, "e" + e + " " + Html.hex(layout.cpuAddress(e)), "label", "end");
                svg.text(ENTRY_X + BOX_W / 2, y + h / 2 + 4, Html.bytes(layout.cpuLength(e)), "inbox", "middle");
            }
        }
        svg.endGroup();

        svg.group("segments");
        at = 0;
        for (int s = 0; s < layout.segments(); s++) {
            double y = TOP + at * scale;
            double h = layout.dmaLength(s) * scale;
            svg.rect(SEG_X, y + 1, BOX_W, h - 2, "segment", "segment " + s + ": " + Html.hex(layout.dmaAddress(s)) + " + "
                    + layout.dmaLength(s), "data-segment", Integer.toString(s));
            long pio = pioBytes(layout, s);
            if (pio > 0) {
                double py = y + (layout.dmaLength(s) - pio) * scale;
                svg.rect(SEG_X, py, BOX_W, pio * scale - 1, "segment-pio", "segment " + s + ": " + pio
                        + " bytes moved by the driver (PIO)");
                if (pio * scale >= 14) {
                    svg.text(SEG_X + BOX_W / 2, py + pio * scale / 2 + 4, Html.bytes(pio) + " by PIO", "inbox", "middle");
                }
            }
            if (h >= 11) {
                svg.text(SEG_X + BOX_W + 6, y + Math.min(h / 2, 12) + 4, "s" + s + " " + Html.hex(layout.dmaAddress(s)) + " "
                        + Html.bytes(layout.dmaLength(s)), "label", "start");
            }
            at += layout.dmaLength(s);
        }
        svg.endGroup();

        // The driver's pairing, segment N -> entry N, drawn where the driver put the PIO bytes:
        // right after the part of entry N the DMA engine moved.
        svg.group("pairs");
        at = 0;
        for (int s = 0; s < layout.segments(); s++) {
            SgLayout.Pair p = pairOf(layout, s);
            if (p != null) {
                double sy = TOP + (at + (layout.dmaLength(s) - p.pioBytes()) + p.pioBytes() / 2.0) * scale;
                double ey = TOP + (offsetOf(layout, p.entry()) + Math.min(layout.cpuLength(p.entry()),
                        layout.dmaLength(s) - p.pioBytes())) * scale;
                String cls = p.wrong() ? "pair wrong" : "pair ok";
                String tip = "segment " + s + " paired with entry " + p.entry() + (p.wrong() ? ": " + p.misplacedBytes()
                        + " of " + p.pioBytes() + " PIO bytes misplaced" : ": the pairing holds");
                svg.line(SEG_X, sy, ENTRY_X + BOX_W, ey, cls, tip, "data-segment", Integer.toString(s), "data-entry",
                        Integer.toString(p.entry()));
                if (p.wrong()) {
                    // Beside the DMA view, under the line's start at the entry: clear of the line,
                    // which runs down and to the right from there.
                    svg.text(SEG_X - 6, ey + 30, p.misplacedBytes() + " B misplaced", "wrong-label", "end");
                    svg.text(SEG_X - 6, ey + 44, "(at e" + p.entry() + " + "
                            + Html.bytes(layout.dmaLength(s) - p.pioBytes()) + " on)", "wrong-label", "end");
                }
            }
            at += layout.dmaLength(s);
        }
        svg.endGroup();
        return svg.end();
    }

    private static long offsetOf(SgLayout layout, int entry) {
        long off = 0;
        for (int e = 0; e < entry; e++) {
            off += layout.cpuLength(e);
        }
        return off;
    }

    private static SgLayout.Pair pairOf(SgLayout layout, int segment) {
        for (SgLayout.Pair p : layout.pairs()) {
            if (p.segment() == segment) {
                return p;
            }
        }
        return null;
    }

    private static long pioBytes(SgLayout layout, int segment) {
        SgLayout.Pair p = pairOf(layout, segment);
        return p == null ? 0 : p.pioBytes();
    }
}
