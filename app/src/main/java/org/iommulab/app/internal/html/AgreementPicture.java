package org.iommulab.app.internal.html;

import java.util.List;

/**
 * One device of a replay: per backend two stacked bars, the scatterlist layouts and the
 * addresses, each split into the calls that agree with the trace (green), differ (red) and
 * could not be compared (grey; for layouts one amber part, differing or not mapped, which the
 * records do not split), to the scale of the call counts. Each backend's bars form one
 * group ({@code g.agreement-group}).
 */
final class AgreementPicture {
    private static final double LABEL_W = 190;
    private static final double BAR_W = 300;
    private static final double BAR_H = 12;

    private AgreementPicture() {
    }

    /** @param records the device's records, one per backend, in the replay's order */
    static String draw(String title, List<ReplayAgreement> records) {
        double top = 26;
        double groupH = 2 * (BAR_H + 3) + 10;
        Svg svg = new Svg(LABEL_W + BAR_W + 230, top + records.size() * groupH + 4, "agreement", title);
        svg.text(8, 16, title, "title", "start");
        for (int i = 0; i < records.size(); i++) {
            ReplayAgreement a = records.get(i);
            double y = top + i * groupH;
            svg.group("agreement-group", "data-backend", a.backend());
            svg.text(LABEL_W - 8, y + BAR_H - 2, a.backend() + ": layouts", "label", "end");
            bar(svg, y, "sg", a.sgCalls(), a.sgLayoutEqual(), 0, a.sgCalls() - a.sgLayoutEqual(),
                    a.sgLayoutEqual() + "/" + a.sgCalls() + " dma_map_sg layouts equal", "differing or not mapped", "sg-other");
            double y2 = y + BAR_H + 3;
            svg.text(LABEL_W - 8, y2 + BAR_H - 2, "addresses", "label", "end");
            bar(svg, y2, "address", a.addressCalls(), a.addressesEqual(), a.addressesDiffering(), a.addressesNotCompared(),
                    a.addressesEqual() + "/" + a.addressCalls() + " addresses equal, " + a.addressesDiffering()
                            + " differ, " + a.addressesNotCompared() + " not compared",
                    "not compared", "notcompared");
            svg.endGroup();
        }
        return svg.end();
    }

    private static void bar(Svg svg, double y, String kind, long total, long agree, long differ, long rest, String value,
            String restName, String restCls) {
        if (total == 0) {
            svg.text(LABEL_W, y + BAR_H - 2, "none in the trace", "value", "start");
            return;
        }
        double x = LABEL_W;
        double wA = BAR_W * agree / total;
        double wD = BAR_W * differ / total;
        double wR = BAR_W * rest / total;
        svg.rect(x, y, wA, BAR_H, "agree", agree + " agree", "data-kind", kind);
        svg.rect(x + wA, y, wD, BAR_H, "differ", differ + " differ", "data-kind", kind);
        svg.rect(x + wA + wD, y, wR, BAR_H, restCls, rest + " " + restName, "data-kind", kind);
        svg.text(LABEL_W + BAR_W + 6, y + BAR_H - 2, value, "value", "start");
    }
}
