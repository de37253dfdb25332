package org.iommulab.app.internal.html;

import java.util.Locale;

/** Escaping and number formats shared by the report's pages and pictures. */
public final class Html {
    private Html() {
    }

    /** Escapes text for an HTML or SVG text node or a double-quoted attribute. */
    public static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /** A byte count for a label: exact below 1 KiB, else KiB, MiB or GiB with one decimal. */
    public static String bytes(long b) {
        if (b < 1024) {
            return b + " B";
        }
        if (b < 1L << 20) {
            return String.format(Locale.ROOT, "%.1f KiB", b / 1024.0);
        }
        if (b < 1L << 30) {
            return String.format(Locale.ROOT, "%.1f MiB", b / (1024.0 * 1024));
        }
        return String.format(Locale.ROOT, "%.1f GiB", b / (1024.0 * 1024 * 1024));
    }

    static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }

    /** A simulated time in the unit that suits it. */
    static String nanos(long ns) {
        if (ns < 10_000) {
            return ns + " ns";
        }
        if (ns < 10_000_000) {
            return String.format(Locale.ROOT, "%.1f us", ns / 1e3);
        }
        return String.format(Locale.ROOT, "%.1f ms", ns / 1e6);
    }
}
