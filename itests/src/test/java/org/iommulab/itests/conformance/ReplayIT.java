package org.iommulab.itests.conformance;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.inject.Inject;

import org.iommulab.api.admin.PlatformAdmin;
import org.iommulab.itests.support.Backends;
import org.iommulab.itests.support.Containers;
import org.iommulab.replay.TraceReplay;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;

/**
 * A Linux 6.12 ftrace capture (the hand-written sample in replay/samples: 17 DMA-API calls of
 * three devices behind an IOMMU, one unmap with the wrong size, one mapping never unmapped)
 * replayed in Felix through the TraceReplay service against every backend registered, and the
 * comparison figures of each backend checked.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ReplayIT {
    /**
     * The (all) row: calls, replayed, skipped, sg layouts equal/total, addresses equal/total
     * (rate), addresses not compared, misuse, leaks, peak KiB, bounced.
     */
    private static final Pattern ALL_ROW = Pattern.compile(
            "\\(all\\)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)/(\\d+)\\s+(\\d+)/(\\d+) \\(\\d+%\\)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)"
                    + "\\s+(\\d+)\\s+(\\d+)");

    @Inject
    private BundleContext context;

    @Inject
    private PlatformAdmin admin;

    @Inject
    private TraceReplay replay;

    @Configuration
    public Option[] config() {
        return Containers.options();
    }

    @Test
    public void theSampleTraceReplaysOnEveryBackendWithComparableFigures() throws Exception {
        Backends.awaitBackends(admin);
        File trace = new File(System.getProperty("user.dir"), "../replay/samples/sample-6.12-ftrace.txt");
        assertTrue("sample trace at " + trace, trace.isFile());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int rc = replay.run(List.of(trace.getPath()), new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String report = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(report, TraceReplay.OK, rc);

        Map<String, Boolean> backends = new Backends(context, admin).registered();
        Map<String, Matcher> rows = allRows(report);
        assertEquals("one section per backend in\n" + report, backends.keySet(), rows.keySet());
        for (Map.Entry<String, Boolean> b : backends.entrySet()) {
            Matcher m = rows.get(b.getKey());
            String where = b.getKey() + " in\n" + report;
            assertEquals("calls " + where, 17, group(m, 1));
            assertEquals("replayed " + where, 17, group(m, 2));
            assertEquals("skipped " + where, 0, group(m, 3));
            assertEquals("sg calls " + where, 3, group(m, 5));
            assertEquals("every address compared " + where, 0, group(m, 8));
            assertEquals("misuse: the unmap with the wrong size " + where, 1, group(m, 9));
            // Replayed under checker.policy = report, as Linux's dma-debug: the wrong-size unmap is
            // reported and carried out, so nothing of the trace's stays mapped.
            assertEquals("leaks: the wrong-size unmap was carried out " + where, 0, group(m, 10));
            if (b.getValue()) {
                // The trace was recorded behind an IOMMU: an isolating backend merges as Linux did.
                assertEquals("sg layouts equal to the trace's " + where, 3, group(m, 4));
            } else {
                assertTrue("without an IOMMU the merged list is not reproduced " + where, group(m, 4) < 3);
            }
            if (b.getKey().equals("swiotlb")) {
                assertTrue("swiotlb bounces " + where, group(m, 12) > 0);
            } else if (b.getKey().equals("direct")) {
                assertEquals("direct bounces nothing for 64-bit devices " + where, 0, group(m, 12));
            }
        }
    }

    private static Map<String, Matcher> allRows(String report) {
        Map<String, Matcher> rows = new HashMap<>();
        String backend = null;
        for (String line : report.split("\n")) {
            if (line.startsWith("backend ") && line.endsWith(":")) {
                backend = line.substring("backend ".length(), line.length() - 1);
            }
            Matcher m = ALL_ROW.matcher(line);
            if (backend != null && m.find()) {
                rows.put(backend, m);
            }
        }
        return rows;
    }

    private static int group(Matcher m, int g) {
        assertNotNull(m);
        return Integer.parseInt(m.group(g));
    }
}
