package org.iommulab.app.internal.html;

import java.util.ArrayList;
import java.util.List;

import org.iommulab.app.internal.collect.BucketSeries;

/**
 * A value over simulated time from a {@link BucketSeries}: a shaded column per bucket up to the
 * largest value in it, a line through the last value of each (carried over buckets without a
 * sample), and an optional dashed mark such as a high-water mark.
 */
final class SeriesPicture {
    static final double WIDTH = 660;
    private static final double LEFT = 70;
    private static final double PLOT_W = WIDTH - LEFT - 20;

    private SeriesPicture() {
    }

    /**
     * @param mark the value of the dashed mark, or a negative number for none
     * @param markLabel what the mark is
     * @param unit how a value reads, e.g. "slots"
     */
    static String draw(String cls, String title, BucketSeries s, long mark, String markLabel, String unit) {
        double top = 24;
        double plotH = 110;
        Svg svg = new Svg(WIDTH, top + plotH + 30, cls, title);
        svg.text(8, 15, title, "title", "start");
        long ceiling = Math.max(1, Math.max(s.peak(), mark));
        svg.line(LEFT, top, LEFT, top + plotH, "grid", null);
        svg.line(LEFT, top + plotH, LEFT + PLOT_W, top + plotH, "grid", null);
        svg.text(LEFT - 4, top + 8, ceiling + " " + unit, "axis", "end");
        svg.text(LEFT - 4, top + plotH, "0", "axis", "end");
        if (s.isEmpty()) {
            svg.text(LEFT + 8, top + plotH / 2, "no sample", "axis", "start");
            return svg.end();
        }
        int used = s.used();
        double col = PLOT_W / used;
        List<Double> line = new ArrayList<>();
        long carried = 0;
        for (int i = 0; i < used; i++) {
            if (s.seen(i)) {
                double h = plotH * s.max(i) / ceiling;
                svg.rect(LEFT + i * col, top + plotH - h, Math.max(col, 0.5), h, "series-max", null);
                carried = s.last(i);
            }
            line.add(LEFT + (i + 1) * col);
            line.add(top + plotH - plotH * carried / ceiling);
        }
        double[] xy = new double[line.size() + 2];
        xy[0] = LEFT;
        xy[1] = line.get(1);
        for (int i = 0; i < line.size(); i++) {
            xy[i + 2] = line.get(i);
        }
        svg.poly(xy, false, "series", null);
        if (mark >= 0) {
            double y = top + plotH - plotH * mark / ceiling;
            svg.line(LEFT, y, LEFT + PLOT_W, y, "hiwater", markLabel + ": " + mark + " " + unit);
            svg.text(LEFT + PLOT_W, y - 3, markLabel + " " + mark + " " + unit, "axis", "end");
        }
        svg.text(LEFT, top + plotH + 14, "sim " + Html.nanos(s.origin()), "axis", "start");
        svg.text(LEFT + PLOT_W, top + plotH + 14, "sim " + Html.nanos(s.end()) + " (bucket " + Html.nanos(s.width()) + ")",
                "axis", "end");
        return svg.end();
    }
}
