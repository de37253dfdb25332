package org.iommulab.replay.internal.realplatform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import org.iommulab.replay.internal.engine.DeviceReport;
import org.iommulab.replay.internal.engine.ReplaySummary;
import org.iommulab.replay.internal.parse.EventKind;
import org.iommulab.replay.internal.parse.TraceEvent;
import org.iommulab.replay.internal.sg.SgCertainty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The hand-made traces of {@code src/test/resources/traces/exact}, each replayed on smmu-v3
 * and on the generic IOMMU, strict and lazy, through the platform's checker and simulation.
 * Every expected address is the one Linux's algorithms give, worked out in the trace's header
 * comment; none comes from the code under test.
 */
class ExactReplayTest {
    private static final String NONE = "null";

    /** Asserts each DMA-API call of the trace, in trace order, was replayed at {@code expected[i]} ("-": no address). */
    private static void assertCalls(ExactReplayRig rig, String trace, String... expected) throws IOException {
        List<TraceEvent> calls = ExactReplayRig.dmaCalls(trace);
        assertEquals(expected.length, calls.size(), "expectations for every call of " + trace);
        Map<Long, Map<String, String>> records = rig.records();
        for (int i = 0; i < calls.size(); i++) {
            TraceEvent e = calls.get(i);
            Map<String, String> r = records.get(e.line());
            String where = trace + " line " + e.line() + " " + e.kind().traceName() + " on " + rig.backend + ": " + r;
            assertTrue(r != null, where);
            if (!expected[i].equals("-")) {
                assertEquals(expected[i], r.get("replayed_dma"), where);
            }
        }
    }

    /** The 1-based line number of the first line of {@code trace} containing {@code text}. */
    private static long lineOf(String trace, String text) throws IOException {
        String[] lines = new String(ExactReplayRig.bytes(trace), java.nio.charset.StandardCharsets.UTF_8).split("\n");
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].contains(text)) {
                return i + 1;
            }
        }
        throw new AssertionError(text + " not in " + trace);
    }

    private static Map<String, String> record(ExactReplayRig rig, String trace, int call) throws IOException {
        return rig.records().get(ExactReplayRig.dmaCalls(trace).get(call).line());
    }

    @ParameterizedTest(name = "{0} lazy={1}")
    @CsvSource({"smmu-v3,false", "smmu-v3,true", "generic,false", "generic,true"})
    void anMsiDoorbellMappedBeforeTheFirstCallPushesEveryAddressDownAPage(String backend, boolean lazy) throws IOException {
        ExactReplayRig rig = new ExactReplayRig(backend, lazy);
        ReplaySummary s = rig.replay("msi-before-first-call.txt");
        assertCalls(rig, "msi-before-first-call.txt", "0xffffe000", "0xffffd000", "0xffffa200", "0xffffa200");
        DeviceReport d = s.backend(backend).device("0000:01:00.0");
        assertEquals(1, d.msiTrace(), rig.report);
        assertEquals(1, d.msiEqual(), "the doorbell page at the trace's 0xfffff000\n" + rig.report);
        assertEquals(3, d.addressCalls());
        assertEquals(3, d.addressesEqual(), rig.report);
        Map<String, String> msi = rig.records().get(lineOf("msi-before-first-call.txt", "paddr=0x0000000008090000"));
        assertEquals("iommu:map (MSI doorbell)", msi.get("event"), rig.calls.toString());
        assertEquals("0xfffff000", msi.get("replayed_dma"));

        // With MSI off the device's first allocation takes the top page: off by one page from the first call.
        ExactReplayRig off = new ExactReplayRig(backend, lazy);
        ReplaySummary o = off.replay("msi-before-first-call.txt", "device.0000:01:00.0.msi = off");
        assertCalls(off, "msi-before-first-call.txt", "0xfffff000", "0xffffe000", "0xffffc200", "0xffffc200");
        assertEquals(0, o.backend(backend).device("0000:01:00.0").addressesEqual(), off.report);
    }

    @ParameterizedTest(name = "{0} lazy={1}")
    @CsvSource({"smmu-v3,false", "smmu-v3,true", "generic,false", "generic,true"})
    void interruptCallsInsideAMapRunRunAfterTheAllocationAndDoNotCloseItsWindow(String backend, boolean lazy)
            throws IOException {
        ExactReplayRig rig = new ExactReplayRig(backend, lazy);
        ReplaySummary s = rig.replay("interrupt-inside-map-run.txt");
        // A, A's unmap (irq), B, C, B's unmap (irq), D (dma_map_sg), D's unmap (irq)
        assertCalls(rig, "interrupt-inside-map-run.txt", "0xfffff000", "0xfffff000", "0xffffe000", "0xfffff000",
                "0xffffe000", "0xffffc000", "0xffffc000");
        DeviceReport nvme = s.backend(backend).device("0000:02:00.0");
        assertEquals(3, nvme.addressesEqual(), rig.report);
        DeviceReport sg = s.backend(backend).device("0000:03:00.0");
        assertEquals(1, sg.sgRebuilds(SgCertainty.CERTAIN), "D's window survives the interrupt\n" + rig.report);
        assertEquals(1, sg.sgLayoutEqual(), rig.report);
        assertEquals(1, sg.addressesEqual(), rig.report);
        assertEquals("true", record(rig, "interrupt-inside-map-run.txt", 5).get("layout_equal"));
        assertEquals(0, s.backend(backend).total().misuse(), rig.report);
    }

    @ParameterizedTest(name = "{0} lazy={1}")
    @CsvSource({"smmu-v3,false", "smmu-v3,true", "generic,false", "generic,true"})
    void aTruncatedSgIsRebuiltFromItsMapRunsAndItsUnmap(String backend, boolean lazy) throws IOException {
        ExactReplayRig rig = new ExactReplayRig(backend, lazy);
        ReplaySummary s = rig.replay("truncated-sg.txt");
        assertCalls(rig, "truncated-sg.txt", "0xfff00000", "0xfff00000");
        DeviceReport d = s.backend(backend).device("0000:04:00.0");
        assertEquals(1, d.sgTruncatedRebuilt(), rig.report);
        assertEquals(1, d.sgLayoutEqual(), "9 segments of 16, 16, ..., 2 pages\n" + rig.report);
        assertEquals(1, d.addressesEqual(), rig.report);
        assertEquals(0, d.skipped(), rig.report);
        assertEquals(0, d.misuse(), "the unmap's 130 entries match the replayed table\n" + rig.report);
        assertEquals(0, d.leaks());
    }

    @ParameterizedTest(name = "{0} lazy={1}")
    @CsvSource({"smmu-v3,false", "smmu-v3,true", "generic,false", "generic,true"})
    void aLazyRunCrossesTheFlushQueueTimeoutWhereLinuxDid(String backend, boolean lazy) throws IOException {
        ExactReplayRig rig = new ExactReplayRig(backend, lazy);
        long before = rig.sim.nanos();
        ReplaySummary s = rig.replay("lazy-flush-timeout.txt");
        DeviceReport d = s.backend(backend).device("0000:05:00.0");
        if (lazy) {
            // The trace's own mode: A, B held back by the queue, C and D from CPU 1's rcache after the timeout.
            assertCalls(rig, "lazy-flush-timeout.txt", "0xfffff000", "0xfffff000", "0xffffe000", "0xffffe000",
                    "0xffffe000", "0xfffff000");
            assertEquals(4, d.addressesEqual(), rig.report);
        } else {
            // Strict: every unmap frees at once; worked out in the trace's comment.
            assertCalls(rig, "lazy-flush-timeout.txt", "0xfffff000", "0xfffff000", "0xfffff000", "0xfffff000",
                    "0xfffff000", "0xffffe000");
            assertEquals(1, d.addressesEqual(), rig.report);
        }
        assertTrue(rig.sim.nanos() - before >= 20_020_000L, "the simulated clock followed the trace's 20 ms");
    }

    @ParameterizedTest(name = "{0} lazy={1}")
    @CsvSource({"smmu-v3,false", "smmu-v3,true", "generic,false", "generic,true"})
    void devicesKeptOffTheIommuGoThroughDmaDirectAndEveryCallIsCounted(String backend, boolean lazy) throws IOException {
        ExactReplayRig rig = new ExactReplayRig(backend, lazy);
        ReplaySummary s = rig.replay("kept-off-iommu.txt", "device.ffd00000.usb.iommu = off");
        DeviceReport smmu = s.backend(backend).device("arm-smmu-v3.0.auto");
        DeviceReport usb = s.backend(backend).device("ffd00000.usb");
        DeviceReport nvme = s.backend(backend).device("0000:06:00.0");
        assertTrue(smmu.isKeptOffIommu(), "the SMMU's own allocations are recognised by its name");
        assertTrue(usb.isKeptOffIommu());
        assertEquals(2, smmu.replayed(), rig.report);
        assertEquals(2, smmu.addressCalls(), "counted in the denominator");
        assertEquals(2, smmu.addressesNotCompared(), "a coherent buffer on dma-direct is where the allocator put it");
        assertEquals(2, usb.addressesEqual(), "dma-direct: the buffers' own addresses\n" + rig.report);
        assertEquals(1, usb.sgLayoutEqual(), rig.report);
        assertEquals(1, nvme.addressesEqual(), "behind the IOMMU: 0xfffff000, untouched by the others\n" + rig.report);
        assertEquals(0, s.backend(backend).total().misuse(), rig.report);
        // The SMMU's queue is at its buffer's physical address in RAM (dma-direct), not at an IOVA.
        String q = record(rig, "kept-off-iommu.txt", 0).get("replayed_dma");
        assertNotEquals(NONE, q);
        assertTrue(rig.memory.isRam(Long.parseUnsignedLong(q.substring(2), 16), 524288), q);
        assertTrue(rig.report.contains("arm-smmu-v3.0.auto kept off the IOMMU"), rig.report);
        assertTrue(rig.report.contains(" 3/5 (60%)"), "every address-returning call in the denominator\n" + rig.report);
        assertEquals(EventKind.DMA_ALLOC, ExactReplayRig.dmaCalls("kept-off-iommu.txt").get(0).kind());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"smmu-v3", "generic"})
    void twoLazyReplaysGiveTheSameOutput(String backend) throws IOException {
        ExactReplayRig one = new ExactReplayRig(backend, true);
        one.replay("lazy-flush-timeout.txt");
        one.replay("interrupt-inside-map-run.txt");
        ExactReplayRig two = new ExactReplayRig(backend, true);
        two.replay("lazy-flush-timeout.txt");
        two.replay("interrupt-inside-map-run.txt");
        assertEquals(one.calls, two.calls);
        assertEquals(one.report, two.report);
        assertEquals(one.sim.nanos(), two.sim.nanos());
    }
}
