package org.iommulab.tck;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes TCK results as the JUnit XML that CI servers (and Surefire's report readers) read: one
 * file {@code TEST-tck.<backend>.xml} per backend, a {@code <testsuite name="tck.<backend>">}
 * with one {@code <testcase>} per check, whose {@code <failure>} or {@code <skipped>} carries
 * the reason.
 */
public final class JUnitXml {
    private JUnitXml() {
    }

    /**
     * Writes one file per backend of {@code results} into {@code dir} (created when missing),
     * replacing files of the same names.
     *
     * @return the files written
     */
    public static List<Path> write(Path dir, List<CheckResult> results) throws IOException {
        Files.createDirectories(dir);
        Map<String, List<CheckResult>> byBackend = new LinkedHashMap<>();
        for (CheckResult r : results) {
            byBackend.computeIfAbsent(r.backend(), k -> new ArrayList<>()).add(r);
        }
        List<Path> files = new ArrayList<>();
        for (Map.Entry<String, List<CheckResult>> e : byBackend.entrySet()) {
            Path file = dir.resolve("TEST-tck." + fileSafe(e.getKey()) + ".xml");
            try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                w.write(suite(e.getKey(), e.getValue()));
            }
            files.add(file);
        }
        return files;
    }

    /** The {@code <testsuite>} document of one backend's results. */
    public static String suite(String backend, List<CheckResult> results) {
        long failures = results.stream().filter(CheckResult::failed).count();
        long skipped = results.stream().filter(CheckResult::skipped).count();
        long nanos = results.stream().mapToLong(CheckResult::nanos).sum();
        String name = "tck." + backend;
        StringBuilder b = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        b.append("<testsuite name=\"").append(attr(name)).append("\" tests=\"").append(results.size())
                .append("\" failures=\"").append(failures).append("\" errors=\"0\" skipped=\"").append(skipped)
                .append("\" time=\"").append(seconds(nanos)).append("\">\n");
        b.append("  <properties>\n    <property name=\"backend\" value=\"").append(attr(backend)).append("\"/>\n")
                .append("  </properties>\n");
        for (CheckResult r : results) {
            b.append("  <testcase classname=\"").append(attr(name)).append("\" name=\"").append(attr(r.check()))
                    .append("\" time=\"").append(seconds(r.nanos())).append('"');
            switch (r.status()) {
                case PASSED:
                    b.append("/>\n");
                    break;
                case SKIPPED:
                    b.append(">\n    <skipped message=\"").append(attr(r.reason())).append("\"/>\n  </testcase>\n");
                    break;
                default:
                    Throwable f = r.failure();
                    b.append(">\n    <failure message=\"").append(attr(r.reason())).append("\" type=\"")
                            .append(attr(f == null ? AssertionError.class.getName() : f.getClass().getName())).append("\">")
                            .append(text(r.rule() + "\n" + (f == null ? r.reason() : stack(f)))).append("</failure>\n")
                            .append("  </testcase>\n");
                    break;
            }
        }
        b.append("</testsuite>\n");
        return b.toString();
    }

    private static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.3f", nanos / 1e9);
    }

    private static String stack(Throwable t) {
        StringWriter s = new StringWriter();
        t.printStackTrace(new PrintWriter(s));
        return s.toString();
    }

    /** A name usable in a file name on every system. */
    static String fileSafe(String s) {
        return s.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    private static String attr(String s) {
        return text(s).replace("\"", "&quot;").replace("\n", "&#10;");
    }

    /** XML text: the five escapes, and characters XML 1.0 cannot hold dropped. */
    private static String text(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&': b.append("&amp;"); break;
                case '<': b.append("&lt;"); break;
                case '>': b.append("&gt;"); break;
                default:
                    if (c >= 0x20 || c == '\n' || c == '\r' || c == '\t') {
                        b.append(c);
                    }
            }
        }
        return b.toString();
    }
}
