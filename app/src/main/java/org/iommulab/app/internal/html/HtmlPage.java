package org.iommulab.app.internal.html;

import java.util.List;

/**
 * A self-contained page: inline CSS, inline SVG, no script, font or image fetched from
 * anywhere, so the file opens the same in any browser, offline.
 */
public final class HtmlPage {
    static final String CSS = String.join("\n",
        "body{font-family:sans-serif;margin:16px 24px;color:#222;background:#fff}",
        "h1{font-size:20px}h2{font-size:16px;margin-top:28px;border-bottom:1px solid #ccc}",
        "p.intro{color:#444;max-width:70em}",
        ".row{display:flex;flex-wrap:wrap;gap:12px;align-items:flex-start}",
        "svg{background:#fafafa;border:1px solid #ddd}",
        "svg text{font-size:11px;fill:#222}svg text.title{font-size:12px;font-weight:bold}",
        "svg text.axis{fill:#555}svg text.inbox{fill:#fff}svg text.value{fill:#333}",
        ".entry{fill:#4a78b5}.segment{fill:#6a9f58}.segment-pio{fill:#c49a2c}",
        ".cover{fill:#999;fill-opacity:.18;stroke:none}",
        ".pair{stroke-width:2}.pair.ok{stroke:#222}.pair.wrong{stroke:#d01010;stroke-width:3}",
        "text.wrong-label{fill:#d01010;font-weight:bold}",
        ".c0 .bar{fill:#4a78b5}.c1 .bar{fill:#e08a2c}.c2 .bar{fill:#6a9f58}.c3 .bar{fill:#9a5fb0}",
        ".c4 .bar{fill:#c0504d}.c5 .bar{fill:#3fa7a3}.c6 .bar{fill:#8c7b4f}.c7 .bar{fill:#777}",
        ".range{fill:#4a78b5;fill-opacity:.55}.resv{fill-opacity:.22}.msi{fill:#d01010;fill-opacity:.45}",
        ".resv-pci-window{fill:#8c7b4f}.resv-sw-msi{fill:#e0a030}.resv-msi{fill:#d01010}.resv-direct{fill:#6a9f58}",
        ".resv-direct-relaxable{fill:#3fa7a3}.resv-reserved{fill:#555}",
        ".census-tables{fill:#4a78b5}.census-blocks{fill:#6a9f58}.census-pages{fill:#e08a2c}.census-table-pages{fill:#9a5fb0}",
        ".series{fill:none;stroke:#4a78b5;stroke-width:1.5}.series-max{fill:#4a78b5;fill-opacity:.2;stroke:none}",
        ".hiwater{stroke:#d01010;stroke-dasharray:4 3}.grid{stroke:#ddd}",
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}",
        "td:first-child,th:first-child{text-align:left}",
        ".agree{fill:#6a9f58}.differ{fill:#d01010}.notcompared{fill:#bbb}.sg-other{fill:#e0a030}",
        ".notdrawn{color:#8a5a00}");

    private HtmlPage() {
    }

    /** The page's style sheet, for pages that embed the pictures (the console plugin). */
    public static String css() {
        return CSS;
    }

    /** {@code sections} in order, each a heading, its line and its pictures, for embedding in another page. */
    public static String fragment(List<Section> sections) {
        StringBuilder b = new StringBuilder();
        for (Section s : sections) {
            b.append("<section id=\"").append(Html.esc(s.id())).append("\">\n<h2>").append(Html.esc(s.title()))
                    .append("</h2>\n<p class=\"intro\">").append(Html.esc(s.intro())).append("</p>\n").append(s.body())
                    .append("</section>\n");
        }
        return b.toString();
    }

    /** The page with {@code sections} in order, a table of contents first. */
    public static String render(String title, String subtitle, List<Section> sections) {
        StringBuilder b = new StringBuilder(64 * 1024);
        b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(Html.esc(title))
                .append("</title>\n<style>\n").append(CSS).append("\n</style></head>\n<body>\n<h1>").append(Html.esc(title))
                .append("</h1>\n<p class=\"intro\">").append(Html.esc(subtitle)).append("</p>\n<ul class=\"toc\">\n");
        for (Section s : sections) {
            b.append("<li><a href=\"#").append(Html.esc(s.id())).append("\">").append(Html.esc(s.title())).append("</a></li>\n");
        }
        b.append("</ul>\n").append(fragment(sections));
        return b.append("</body></html>\n").toString();
    }
}
