package org.iommulab.app.internal.html;

import java.util.List;

import org.iommulab.app.internal.report.ResultRow;

/**
 * One workload across the backends: for each {@link Metric} a row of bars, one per backend,
 * scaled to the largest value in that row. Each backend's bars form one group
 * ({@code g.backend-group}), coloured by the backend's place in the run.
 */
final class BarsPicture {
    private static final double LABEL_W = 170;
    private static final double BAR_W = 300;
    private static final double BAR_H = 12;
    private static final double ROW_GAP = 12;

    private BarsPicture() {
    }

    /**
     * @param workload the workload
     * @param rows its rows, one per backend, in the run's backend order
     */
    static String draw(String workload, List<ResultRow> rows) {
        Metric[] metrics = Metric.values();
        double rowH = rows.size() * (BAR_H + 2) + ROW_GAP;
        double top = 26;
        Svg svg = new Svg(LABEL_W + BAR_W + 200, top + metrics.length * rowH + 4, "bars",
                workload + " on " + rows.size() + " backend(s)");
        svg.text(8, 16, workload, "title", "start");
        double[] max = new double[metrics.length];
        for (int m = 0; m < metrics.length; m++) {
            for (ResultRow r : rows) {
                double v = metrics[m].of(r);
                if (!Double.isNaN(v)) {
                    max[m] = Math.max(max[m], v);
                }
            }
            svg.text(LABEL_W - 8, top + m * rowH + BAR_H, metrics[m].label(), "label", "end");
        }
        for (int b = 0; b < rows.size(); b++) {
            ResultRow r = rows.get(b);
            svg.group("backend-group c" + (b % 8), "data-backend", r.backend());
            for (int m = 0; m < metrics.length; m++) {
                double v = metrics[m].of(r);
                double y = top + m * rowH + b * (BAR_H + 2);
                double w = Double.isNaN(v) || max[m] == 0 ? 0 : BAR_W * v / max[m];
                svg.rect(LABEL_W, y, Math.max(w, Double.isNaN(v) ? 0 : 1), BAR_H, "bar", r.backend() + ": "
                        + metrics[m].label() + " " + metrics[m].format(v), "data-metric", metrics[m].name().toLowerCase());
                svg.text(LABEL_W + w + 4, y + BAR_H - 2, r.backend() + " " + (r.report() == null ? "not run"
                        : metrics[m].format(v)), "value", "start");
            }
            svg.endGroup();
        }
        return svg.end();
    }
}
