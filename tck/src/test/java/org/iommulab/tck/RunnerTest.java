package org.iommulab.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/** What the runner makes of checks that hang, throw or skip, and the JUnit XML of the results. */
class RunnerTest {
    private final Tck tck = new TckHarness().directAndSwiotlb().tck();

    @Test
    void aHungCheckFailsWithItsThreadsStackAndTheRunGoesOn() {
        Check hangs = check("hangs", 200, b -> {
            Thread.sleep(10_000);
            return "never";
        });
        CheckResult r = tck.run(hangs, "direct");
        assertEquals(CheckResult.Status.FAILED, r.status());
        assertTrue(r.reason().startsWith("did not finish within 200 ms; its thread is TIMED_WAITING"), r.reason());
        assertTrue(r.reason().contains("java.lang.Thread.sleep"), r.reason());
        assertEquals(CheckResult.Status.PASSED, tck.run(check("fine", 1000, b -> "ok"), "direct").status());
    }

    @Test
    void anExceptionFailsWithWhatAndWhereAnAssertionWithItsMessage() {
        CheckResult npe = tck.run(check("npe", 1000, b -> {
            throw new NullPointerException("boom");
        }), "swiotlb");
        assertEquals(CheckResult.Status.FAILED, npe.status());
        assertTrue(npe.reason().startsWith("java.lang.NullPointerException: boom at "), npe.reason());
        CheckResult assertion = tck.run(check("assert", 1000, b -> {
            throw new AssertionError("page 3 still translates");
        }), "swiotlb");
        assertEquals("page 3 still translates", assertion.reason());
        CheckResult skipped = tck.run(check("skip", 1000, b -> {
            throw new NotApplicable("not an IOMMU");
        }), "swiotlb");
        assertEquals(CheckResult.Status.SKIPPED, skipped.status());
        assertEquals("SKIP swiotlb skip: not an IOMMU", skipped.toString());
    }

    @Test
    void junitXmlHasOneSuitePerBackendAndEscapesEverything(@TempDir Path dir) throws Exception {
        List<CheckResult> results = List.of(
                new CheckResult("a", "rule <a> & \"b\"", "x/y", CheckResult.Status.PASSED, "fine", null, 1_000_000),
                new CheckResult("b", "rule", "x/y", CheckResult.Status.FAILED, "broke at <0x10> & \u0001 \"q\"",
                        new AssertionError("broke"), 2_000_000),
                new CheckResult("c", "rule", "x/y", CheckResult.Status.SKIPPED, "n/a", null, 0),
                new CheckResult("a", "rule", "z", CheckResult.Status.PASSED, "fine", null, 0));
        List<Path> files = JUnitXml.write(dir, results);
        assertEquals(List.of(dir.resolve("TEST-tck.x_y.xml"), dir.resolve("TEST-tck.z.xml")), files);
        String text = Files.readString(files.get(0));
        assertTrue(text.lines().anyMatch(l -> l.startsWith("<testsuite ") && l.contains(" tests=\"3\" failures=\"1\" errors=\"0\" skipped=\"1\"")),
                text);
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
        Element failure = (Element) doc.getElementsByTagName("failure").item(0);
        assertNotNull(failure);
        assertEquals("broke at <0x10> &  \"q\"", failure.getAttribute("message"));
        assertEquals("n/a", ((Element) doc.getElementsByTagName("skipped").item(0)).getAttribute("message"));
    }

    interface Body {
        String run(BackendUnderTest b) throws Exception;
    }

    private static Check check(String id, long timeout, Body body) {
        return new Check() {
            @Override
            public String id() {
                return id;
            }

            @Override
            public String rule() {
                return "a rule";
            }

            @Override
            public String run(BackendUnderTest b) throws Exception {
                return body.run(b);
            }

            @Override
            public long timeoutMillis() {
                return timeout;
            }
        };
    }
}
