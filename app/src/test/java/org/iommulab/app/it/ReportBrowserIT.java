package org.iommulab.app.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * {@code java -jar iommulab.jar --report report.html}, then the page opened in a real browser
 * (headless Chromium): the DOM it built holds the seed picture with a red pair for every backend
 * that merged the seeded-bug workload's list, and one bar group per backend for every workload.
 * Screenshots go to target/it/report/. Skipped, saying so, only where Chromium is not installed
 * (.ci/run installs it).
 */
class ReportBrowserIT {
    private static final Path JAR = Path.of(System.getProperty("iommulab.jar", "target/iommulab.jar"));
    private static final Path WORK = Path.of(System.getProperty("it.workdir", "target/it"));

    @Test
    void theReportOpensInChromiumWithTheSeedPictureAndTheBars() throws Exception {
        Assumptions.assumeTrue(HeadlessChromium.present(), "SKIPPED: no " + HeadlessChromium.BINARY
                + ": the browser check of the HTML report needs Debian's chromium (apt-get install -y chromium)");
        Path dir = fresh("report");
        String out = runJar(dir, "--report", "report.html");
        Path report = dir.resolve("report.html");
        assertTrue(Files.isRegularFile(report), out);

        // How many backends merged: the main job says so in its last line.
        Matcher caught = Pattern.compile("the seeded bug was caught on (\\d+) merging backend").matcher(out);
        assertTrue(caught.find(), out);
        int merging = Integer.parseInt(caught.group(1));
        assertTrue(merging >= 3, "smmu-v3, smmu-v2 and generic merge: " + out);

        String dom = HeadlessChromium.dumpDom(report.toUri().toString(), dir.resolve("profile"));
        List<String> seeds = elements(dom, "<svg[^>]*class=\"seed\"[^>]*aria-label=\"([^\"]*) \\(merged\\)");
        assertEquals(merging, seeds.size(), "one merged seed picture per merging backend");
        for (String svg : svgs(dom, "seed")) {
            boolean merged = svg.contains("(merged)");
            boolean red = svg.contains("class=\"pair wrong\"");
            assertEquals(merged, red, "red pairs exactly where the list was merged: " + svg.substring(0, 200));
        }
        int backends = Integer.parseInt(find(out, "iommulab: (\\d+) backend\\(s\\)"));
        int workloads = Integer.parseInt(find(out, "backend\\(s\\) \\[[^]]*\\], (\\d+) workload\\(s\\)"));
        List<String> bars = svgs(dom, "bars");
        assertEquals(workloads, bars.size(), "one bar picture per workload");
        for (String svg : bars) {
            assertEquals(backends, count(svg, "<g class=\"backend-group"), "one bar group per backend: " + svg.substring(0, 120));
        }
        assertTrue(count(dom, "<svg[^>]*class=\"iova\"") >= workloads, "address spaces drawn");
        // smmu-v3, smmu-v2 and generic report arm-smmu's SW_MSI window (0x8000000+0x100000) for
        // every device: each of their address spaces lists it, with the key of its kind.
        for (String svg : svgs(dom, "iova")) {
            if (svg.contains(" on smmu-v3:") || svg.contains(" on smmu-v2:") || svg.contains(" on generic:")) {
                assertTrue(svg.contains("data-kind=\"sw-msi\"") && svg.contains("sw-msi 0x8000000 + 0x100000"),
                        "the SW_MSI window listed: " + svg.substring(0, 160));
            }
        }
        assertEquals(1, count(dom, "<svg[^>]*class=\"pool\""), "the swiotlb pool drawn");
        // Each IOMMU model's domains report a census of their LPAE tree: one census picture per
        // domain that mapped, each starting with one top-level table.
        for (String backend : List.of("smmu-v3", "smmu-v2", "generic")) {
            int n = 0;
            for (String svg : svgs(dom, "census")) {
                if (svg.contains(" on " + backend + ": page-table tree")) {
                    n++;
                    assertTrue(svg.contains("<g class=\"census-tree\""), "a census drawn: " + svg.substring(0, 160));
                }
            }
            assertTrue(n > 0, "a census picture for " + backend);
        }

        HeadlessChromium.screenshot(report.toUri().toString(), dir.resolve("report.png"), 1400, 1800, dir.resolve("profile"));
    }

    /**
     * A replay with --report and the user's own --json: the file stays the user's, and the
     * report draws one agreement group per record of it, each bar's figures the record's.
     * Without --json the report still has its agreement pictures (from a temporary file).
     */
    @Test
    void aReplaysReportDrawsWhereItAgreesWithTheTrace() throws Exception {
        Path trace = Path.of("../replay/src/test/resources/traces/sample-6.12-ftrace.txt").toAbsolutePath();
        Assumptions.assumeTrue(Files.isRegularFile(trace), "SKIPPED: no sample trace at " + trace);
        Path dir = fresh("replay-report");
        String out = runJar(dir, "replay", trace.toString(), "--json", "mine.json", "--report", "replay.html");
        Object doc = org.iommulab.app.internal.results.Json.read(Files.readString(dir.resolve("mine.json")));
        List<?> records = (List<?>) ((java.util.Map<?, ?>) doc).get("records");
        assertTrue(!records.isEmpty(), out);
        String html = Files.readString(dir.resolve("replay.html"));
        assertEquals(records.size(), count(html, "<g class=\"agreement-group\""), "one group per record: " + out);
        for (Object o : records) {
            java.util.Map<?, ?> r = (java.util.Map<?, ?>) o;
            long calls = (Long) r.get("addressCalls");
            if (calls > 0) {
                String figures = r.get("addressesEqual") + "/" + calls + " addresses equal, "
                        + (calls - (Long) r.get("addressesNotCompared") - (Long) r.get("addressesEqual")) + " differ, "
                        + r.get("addressesNotCompared") + " not compared";
                assertTrue(html.contains(">" + figures + "</text>"), figures + " for " + r.get("backend"));
            }
        }

        Path plain = fresh("replay-report-plain");
        String out2 = runJar(plain, "replay", trace.toString(), "--report", "replay.html");
        String html2 = Files.readString(plain.resolve("replay.html"));
        assertEquals(records.size(), count(html2, "<g class=\"agreement-group\""), "the same records from a temporary file");
        Path temporary = Path.of(find(out2, "record\\(s\\) written to (\\S+)"));
        assertTrue(!Files.exists(temporary), "the temporary records are deleted: " + temporary);
    }

    private static List<String> elements(String dom, String regex) {
        List<String> found = new ArrayList<>();
        Matcher m = Pattern.compile(regex).matcher(dom);
        while (m.find()) {
            found.add(m.group(1));
        }
        return found;
    }

    /** Every {@code <svg class="cls">...</svg>} of the DOM. */
    private static List<String> svgs(String dom, String cls) {
        List<String> found = new ArrayList<>();
        Matcher m = Pattern.compile("<svg[^>]*class=\"" + cls + "\"").matcher(dom);
        while (m.find()) {
            found.add(dom.substring(m.start(), dom.indexOf("</svg>", m.start())));
        }
        return found;
    }

    private static int count(String s, String regex) {
        Matcher m = Pattern.compile(regex).matcher(s);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    private static String find(String s, String regex) {
        Matcher m = Pattern.compile(regex).matcher(s);
        assertTrue(m.find(), regex + " in\n" + s);
        return m.group(1);
    }

    private static Path fresh(String name) throws Exception {
        Path dir = WORK.resolve(name).toAbsolutePath();
        if (Files.exists(dir)) {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted((x, y) -> y.getNameCount() - x.getNameCount()).map(Path::toFile).forEach(File::delete);
            }
        }
        Files.createDirectories(dir);
        return dir;
    }

    private static String runJar(Path dir, String... args) throws Exception {
        assertTrue(Files.isRegularFile(JAR), "no " + JAR.toAbsolutePath() + ": run mvn verify");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                JAR.toAbsolutePath().toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("java -jar iommulab.jar " + String.join(" ", args) + " did not end");
        }
        String text = new String(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), text);
        return text;
    }
}
