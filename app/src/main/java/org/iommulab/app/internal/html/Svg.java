package org.iommulab.app.internal.html;

import java.util.Locale;

/**
 * A small SVG writer: the few elements the report's pictures use, with every text escaped.
 * Coordinates print with one decimal in the root locale, so the same picture is the same
 * bytes on every machine. Not thread-safe (one picture, one thread).
 */
final class Svg {
    private final StringBuilder b = new StringBuilder();

    /** Opens an {@code <svg>} of {@code width} x {@code height} with class {@code cls} and an accessible label. */
    Svg(double width, double height, String cls, String label) {
        b.append("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"").append(Html.esc(cls)).append("\" width=\"")
                .append(n(width)).append("\" height=\"").append(n(height)).append("\" viewBox=\"0 0 ").append(n(width))
                .append(' ').append(n(height)).append("\" role=\"img\" aria-label=\"").append(Html.esc(label))
                .append("\">\n");
    }

    /** Opens a group; {@code attrs} are name, value pairs (values escaped). */
    Svg group(String cls, String... attrs) {
        b.append("<g class=\"").append(Html.esc(cls)).append('"');
        attributes(attrs);
        b.append(">\n");
        return this;
    }

    Svg endGroup() {
        b.append("</g>\n");
        return this;
    }

    /** A rectangle with a tooltip ({@code <title>}, shown on hover), or none when {@code tip} is null. */
    Svg rect(double x, double y, double w, double h, String cls, String tip, String... attrs) {
        b.append("<rect class=\"").append(Html.esc(cls)).append("\" x=\"").append(n(x)).append("\" y=\"").append(n(y))
                .append("\" width=\"").append(n(Math.max(0, w))).append("\" height=\"").append(n(Math.max(0, h))).append('"');
        attributes(attrs);
        return tip(tip, "rect");
    }

    Svg line(double x1, double y1, double x2, double y2, String cls, String tip, String... attrs) {
        b.append("<line class=\"").append(Html.esc(cls)).append("\" x1=\"").append(n(x1)).append("\" y1=\"").append(n(y1))
                .append("\" x2=\"").append(n(x2)).append("\" y2=\"").append(n(y2)).append('"');
        attributes(attrs);
        return tip(tip, "line");
    }

    /** A closed or open path through {@code xy} (x0, y0, x1, y1, ...). */
    Svg poly(double[] xy, boolean closed, String cls, String tip) {
        b.append(closed ? "<polygon" : "<polyline").append(" class=\"").append(Html.esc(cls)).append("\" points=\"");
        for (int i = 0; i + 1 < xy.length; i += 2) {
            b.append(i == 0 ? "" : " ").append(n(xy[i])).append(',').append(n(xy[i + 1]));
        }
        b.append('"');
        return tip(tip, closed ? "polygon" : "polyline");
    }

    /** Text at (x, y); {@code anchor} is start, middle or end. */
    Svg text(double x, double y, String text, String cls, String anchor) {
        b.append("<text class=\"").append(Html.esc(cls)).append("\" x=\"").append(n(x)).append("\" y=\"").append(n(y))
                .append("\" text-anchor=\"").append(anchor).append("\">").append(Html.esc(text)).append("</text>\n");
        return this;
    }

    /** Closes the {@code <svg>} and returns it. */
    String end() {
        return b.append("</svg>\n").toString();
    }

    private Svg tip(String tip, String element) {
        if (tip == null) {
            b.append("/>\n");
        } else {
            b.append("><title>").append(Html.esc(tip)).append("</title></").append(element).append(">\n");
        }
        return this;
    }

    private void attributes(String[] attrs) {
        if (attrs.length % 2 != 0) {
            throw new IllegalArgumentException("attributes come in name, value pairs");
        }
        for (int i = 0; i < attrs.length; i += 2) {
            b.append(' ').append(attrs[i]).append("=\"").append(Html.esc(attrs[i + 1])).append('"');
        }
    }

    /** A coordinate: one decimal, no trailing ".0", root locale. */
    static String n(double v) {
        long r = Math.round(v * 10);
        return r % 10 == 0 ? Long.toString(r / 10) : String.format(Locale.ROOT, "%.1f", r / 10.0);
    }
}
