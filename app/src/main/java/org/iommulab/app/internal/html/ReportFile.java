package org.iommulab.app.internal.html;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.iommulab.app.internal.collect.RunCollector;
import org.iommulab.app.internal.report.ResultRow;

/** Writes the main job's report: every section, one self-contained HTML file. */
public final class ReportFile {
    /** The platform's log line when a device's MSI doorbell is mapped (DeviceDmaApi). */
    private static final Pattern MSI = Pattern.compile("MSI enabled: doorbell 0x[0-9a-f]+ at bus address 0x([0-9a-f]+)");

    private ReportFile() {
    }

    /**
     * @param deviceLogs each device's log lines (for the MSI doorbell's bus addresses)
     * @throws IOException when the file cannot be written (the caller says so; the run's result stands)
     */
    public static void write(Path file, String subtitle, List<ResultRow> rows, RunCollector collected,
            Map<String, List<String>> deviceLogs) throws IOException {
        List<Section> sections = new ArrayList<>();
        sections.add(RunReport.seed(rows));
        sections.add(RunReport.bars(rows));
        if (collected != null) {
            sections.add(RunReport.addressSpaces(collected, msiAddresses(deviceLogs)));
            sections.add(RunReport.pool(collected));
        }
        Files.writeString(file, HtmlPage.render("iommulab report", subtitle, sections), StandardCharsets.UTF_8);
    }

    /**
     * A replay's report: where it agrees with the trace, its footprint over trace time, the
     * address spaces and the pool.
     *
     * @param agreement the replay's records, or null when they could not be read ({@code unread} says why)
     */
    public static void writeReplay(Path file, String subtitle, RunCollector collected, Map<String, List<String>> deviceLogs,
            List<ReplayAgreement> agreement, String unread) throws IOException {
        List<Section> sections = List.of(RunReport.replayAgreement(agreement, unread), RunReport.replayFootprint(collected),
                RunReport.addressSpaces(collected, msiAddresses(deviceLogs)), RunReport.pool(collected));
        Files.writeString(file, HtmlPage.render("iommulab replay report", subtitle, sections), StandardCharsets.UTF_8);
    }

    static Map<String, List<Long>> msiAddresses(Map<String, List<String>> logs) {
        Map<String, List<Long>> out = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, List<String>> e : logs.entrySet()) {
            for (String line : e.getValue()) {
                Matcher m = MSI.matcher(line);
                if (m.find()) {
                    long a = Long.parseUnsignedLong(m.group(1), 16);
                    List<Long> l = out.computeIfAbsent(e.getKey(), k -> new ArrayList<>());
                    if (!l.contains(a)) {
                        l.add(a);
                    }
                }
            }
        }
        return out;
    }
}
