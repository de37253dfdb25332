package org.iommulab.app.internal.console;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;

import org.apache.felix.webconsole.servlet.AbstractServlet;
import org.iommulab.app.internal.html.Html;
import org.iommulab.app.internal.html.HtmlPage;
import org.iommulab.app.internal.html.RunReport;
import org.iommulab.app.internal.html.Section;

/**
 * The Web Console plugin {@code /system/console/iommu}: backends with their bundles and
 * rankings, devices with their binding and live counters, a swap button per device, a button
 * that runs every workload, and the report's pictures, live. Every POST carries the session's
 * form token and must come from this console's own origin ({@link CsrfGuard}); a POST answers
 * with a redirect to the page (post/redirect/get), its outcome kept in the session.
 */
final class IommuPlugin extends AbstractServlet {
    static final String LABEL = "iommu";
    static final String TITLE = "IOMMU";
    private static final long serialVersionUID = 1L;
    private static final String MESSAGE = "org.iommulab.console.message";

    private final transient ConsoleView view;
    private final transient CsrfGuard csrf = new CsrfGuard();

    IommuPlugin(ConsoleView view) {
        this.view = view;
    }

    @Override
    public void renderContent(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String token = csrf.token(request);
        HttpSession session = request.getSession(false);
        String message = session == null ? null : (String) session.getAttribute(MESSAGE);
        if (session != null) {
            session.removeAttribute(MESSAGE);
        }
        List<ConsoleView.Backend> backends = view.backends();
        StringBuilder b = new StringBuilder(32 * 1024);
        b.append("<style>").append(HtmlPage.css()).append("\n.iommulab td form{margin:0}</style>\n<div class=\"iommulab\">\n");
        if (message != null) {
            b.append("<p class=\"message\" id=\"message\">").append(Html.esc(message)).append("</p>\n");
        }
        b.append("<h2>Backends</h2>\n<table id=\"backends\"><tr><th>backend</th><th>ranking</th><th>bundle</th><th>state</th></tr>\n");
        for (ConsoleView.Backend k : backends) {
            b.append("<tr data-backend=\"").append(Html.esc(k.name())).append("\"><td>").append(Html.esc(k.name()))
                    .append("</td><td>").append(k.ranking()).append("</td><td>").append(Html.esc(k.bundle())).append("</td><td>")
                    .append(Html.esc(k.bundleState())).append("</td></tr>\n");
        }
        b.append("</table>\n<h2>Devices</h2>\n<table id=\"devices\"><tr><th>device</th><th>backend</th><th>target</th>"
                + "<th>swaps</th><th>maps</th><th>bounced</th><th>IOTLB hit</th><th>faults</th><th>findings</th><th>swap to</th></tr>\n");
        for (ConsoleView.Device d : view.devices()) {
            long lookups = d.iotlbHits() + d.iotlbMisses();
            b.append("<tr data-device=\"").append(Html.esc(d.name())).append("\"><td>").append(Html.esc(d.name()))
                    .append("</td><td class=\"bound\">").append(Html.esc(d.backend() == null ? "(unbound)" : d.backend()))
                    .append("</td><td>").append(Html.esc(d.targetFilter() == null ? "" : d.targetFilter())).append("</td><td>")
                    .append(d.swaps()).append("</td><td>").append(d.maps()).append("</td><td>").append(Html.bytes(d.bouncedBytes()))
                    .append("</td><td>").append(lookups == 0 ? "-" : String.format(java.util.Locale.ROOT, "%.1f%%",
                            100.0 * d.iotlbHits() / lookups))
                    .append("</td><td>").append(d.faults()).append("</td><td>").append(d.findings()).append("</td><td>");
            form(b, token, "swap");
            b.append("<input type=\"hidden\" name=\"device\" value=\"").append(Html.esc(d.name())).append("\">")
                    .append("<select name=\"backend\">");
            for (ConsoleView.Backend k : backends) {
                b.append("<option value=\"").append(Html.esc(k.name())).append('"')
                        .append(k.name().equals(d.backend()) ? " selected" : "").append('>').append(Html.esc(k.name()))
                        .append("</option>");
            }
            b.append("</select> <button type=\"submit\" class=\"swap\">Swap</button></form></td></tr>\n");
        }
        b.append("</table>\n<h2>Pictures</h2>\n");
        form(b, token, "run");
        b.append("<button type=\"submit\" id=\"run\">Run every workload on every backend (2 rounds)</button></form>\n");
        List<Section> sections = new ArrayList<>();
        if (!view.lastRows().isEmpty()) {
            sections.add(RunReport.seed(view.lastRows()));
            sections.add(RunReport.bars(view.lastRows()));
        } else {
            b.append("<p class=\"notdrawn\">The seed picture and the bars come from a run of the workloads: press the button.</p>\n");
        }
        sections.add(RunReport.addressSpaces(view.collector(), RunReport.msiAddresses(view.deviceLogs())));
        sections.add(RunReport.pool(view.collector()));
        b.append(HtmlPage.fragment(sections)).append("</div>\n");
        PrintWriter w = response.getWriter();
        w.write(b.toString());
    }

    private static void form(StringBuilder b, String token, String action) {
        b.append("<form method=\"post\" class=\"").append(action).append("\"><input type=\"hidden\" name=\"action\" value=\"")
                .append(action).append("\"><input type=\"hidden\" name=\"").append(CsrfGuard.FIELD).append("\" value=\"")
                .append(Html.esc(token)).append("\">");
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String refusal = csrf.refusal(request);
        if (refusal != null) {
            response.sendError(HttpServletResponse.SC_FORBIDDEN, refusal);
            return;
        }
        String action = request.getParameter("action");
        String outcome;
        if ("swap".equals(action)) {
            outcome = view.swap(request.getParameter("device"), request.getParameter("backend"));
        } else if ("run".equals(action)) {
            outcome = view.runWorkloads();
        } else {
            response.sendError(HttpServletResponse.SC_BAD_REQUEST, "unknown action");
            return;
        }
        request.getSession(true).setAttribute(MESSAGE, outcome);
        response.setStatus(HttpServletResponse.SC_SEE_OTHER);
        response.setHeader("Location", request.getRequestURI());
    }
}
