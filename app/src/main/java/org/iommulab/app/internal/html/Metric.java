package org.iommulab.app.internal.html;

import java.util.Locale;
import java.util.function.ToDoubleFunction;

import org.iommulab.api.admin.Stat;
import org.iommulab.app.internal.report.ResultRow;

/**
 * One figure of a result row that the bar pictures compare across backends, read from the same
 * row the main job's table prints. {@code NaN} means "does not apply" (no IOTLB lookups, no
 * scatterlist), drawn as no bar.
 */
enum Metric {
    BOUNCED("bounced bytes", r -> r.stat(Stat.BOUNCED_BYTES)),
    IOTLB_HIT_RATE("IOTLB hit rate %", r -> {
        long hits = r.stat(Stat.IOTLB_HITS);
        long lookups = hits + r.stat(Stat.IOTLB_MISSES);
        return lookups == 0 ? Double.NaN : 100.0 * hits / lookups;
    }),
    SEGMENTS_PER_LIST("DMA segments per sg list", r -> r.report().sgLists() == 0 ? Double.NaN : r.report().segmentsPerSgList()),
    FAULTS("faults", r -> r.report().faults()),
    FINDINGS("checker findings", ResultRow::findings),
    DATA_ERRORS("data errors", r -> r.report().dataErrors() + r.report().mapFailures());

    private final String label;
    private final ToDoubleFunction<ResultRow> value;

    Metric(String label, ToDoubleFunction<ResultRow> value) {
        this.label = label;
        this.value = value;
    }

    String label() {
        return label;
    }

    /** The figure of {@code row}; NaN when the row did not run or the figure does not apply. */
    double of(ResultRow row) {
        return row.report() == null ? Double.NaN : value.applyAsDouble(row);
    }

    /** The figure as its label shows it. */
    String format(double v) {
        if (Double.isNaN(v)) {
            return "-";
        }
        if (this == BOUNCED) {
            return Html.bytes((long) v);
        }
        if (this == IOTLB_HIT_RATE || this == SEGMENTS_PER_LIST) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        return Long.toString((long) v);
    }
}
