package org.iommulab.smmu.v3.internal.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.iommulab.api.platform.AccessType;
import org.iommulab.api.platform.DmaFaultException;
import org.iommulab.smmu.v3.internal.format.EventFormat;
import org.iommulab.smmu.v3.internal.format.EventRecord;
import org.iommulab.smmu.v3.internal.format.SteFormat;
import org.junit.jupiter.api.Test;

/**
 * {@code ModelPort.translateRun}: a run of pages gives what the same pages translated one by
 * one give, on two identical SMMUs side by side: addresses, faults, their reports and event
 * records, IOTLB and port counters, interrupts. The SMMU translates every transaction on its
 * own (QEMU's smmuv3_translate per access: IOTLB lookup, walk on a miss, fault and event), so a run must be
 * indistinguishable from its pages in order.
 */
class TranslateRunTest {
    private static final int SID = 5;
    private static final int PAGES = 16;
    private static final long PAGE = 0x1000;
    private static final long VA = 0x4000_0000L;
    private static final long PA = 0x8000_0000L;
    /** Where page 3 lands instead: the run is not physically contiguous there. */
    private static final long PA_FAR = 0x9000_0000L;
    private static final int HOLE = 5;
    private static final int READ_ONLY = 9;
    /** Pages from here on are mapped but not in the IOTLB: the run meets misses. */
    private static final int COLD = 12;

    /** One SMMU with the 16-page layout, stage 1, pages 0..COLD-1 warmed by reads. */
    private static SmmuHarness rig() {
        SmmuHarness h = SmmuHarness.stage1().up();
        TableBuilder pt = TableBuilder.stage1(h.mem, h.alloc, 12, 48);
        h.stage1Stream(SID, pt, 7);
        for (int i = 0; i < PAGES; i++) {
            if (i != HOLE) {
                long pa = i == 3 ? PA_FAR : PA + i * PAGE;
                pt.map(VA + i * PAGE, pa, 3, i == READ_ONLY ? TableBuilder.S1_RO : TableBuilder.S1_RW);
            }
        }
        for (int i = 0; i < COLD; i++) {
            if (i != HOLE) {
                h.read(SID, VA + i * PAGE);
            }
        }
        h.events();
        h.reported.clear();
        h.irqs.clear();
        return h;
    }

    /** Page i's outcome: its PA, or its fault. */
    private static List<String> pageByPage(SmmuHarness h, long start, AccessType access) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < PAGES; i++) {
            long a = i == 0 ? start : VA + i * PAGE;
            try {
                out.add(Long.toHexString(h.port.translate(SID, a, access)));
            } catch (DmaFaultException e) {
                out.add("fault " + e.fault());
            }
        }
        return out;
    }

    /** The same through translateRun, going on after a fault at the next page as pageByPage does. */
    private static List<String> byRuns(SmmuHarness h, long start, AccessType access, List<Integer> runs) {
        List<String> out = new ArrayList<>();
        long[] frames = new long[PAGES];
        int p = 0;
        while (p < PAGES) {
            long a = p == 0 ? start : VA + p * PAGE;
            try {
                int n = h.port.translateRun(SID, a, access, frames, PAGES - p);
                runs.add(n);
                for (int i = 0; i < n; i++) {
                    out.add(Long.toHexString(frames[i]));
                }
                p += n;
            } catch (DmaFaultException e) {
                runs.add(0);
                out.add("fault " + e.fault());
                p++;
            }
        }
        return out;
    }

    private static void assertSameModelState(SmmuHarness one, SmmuHarness run) {
        assertEquals(one.reported.toString(), run.reported.toString(), "faults reported");
        assertEquals(one.events(), run.events(), "event queue records");
        assertEquals(one.irqs, run.irqs, "interrupts");
        assertEquals(one.port.hits(), run.port.hits(), "IOTLB hits");
        assertEquals(one.port.misses(), run.port.misses(), "IOTLB misses (walks)");
        assertEquals(one.port.faults(), run.port.faults(), "aborted transactions");
        assertEquals(one.model.iotlbSize(), run.model.iotlbSize());
        assertEquals(one.model.eventsWritten(), run.model.eventsWritten());
    }

    @Test
    void readRunEqualsPageByPageWithATranslationFaultInTheMiddle() {
        SmmuHarness one = rig();
        SmmuHarness run = rig();
        long start = VA + 0x123;
        List<Integer> runs = new ArrayList<>();

        List<String> expected = pageByPage(one, start, AccessType.READ);
        assertEquals(expected, byRuns(run, start, AccessType.READ, runs));
        assertSameModelState(one, run);

        // What the layout gives by the architecture: page 0 keeps the offset; page 3 is PA_FAR;
        // page 5 has an invalid level-3 descriptor: F_TRANSLATION at level 3 (§7.3.12), its
        // InputAddr the page's address and RnW = 1; page 9 is read-only, which a read passes.
        assertEquals(Long.toHexString(PA + 0x123), expected.get(0));
        assertEquals(Long.toHexString(PA_FAR), expected.get(3));
        assertTrue(expected.get(HOLE).startsWith("fault "), expected.get(HOLE));
        assertEquals(Long.toHexString(PA + READ_ONLY * PAGE), expected.get(READ_ONLY));
        assertEquals(1, run.reported.size());
        assertEquals(VA + HOLE * PAGE, run.reported.get(0).address());
        assertEquals(3, run.reported.get(0).level());
        // Walks (misses) after the warm-up's COLD - 1: the 4 cold pages, and the hole, which
        // misses and is walked to its fault (a walk that faults caches nothing: QEMU's
        // smmuv3_translate fills the IOTLB only after a successful walk).
        assertEquals(COLD - 1 + (PAGES - COLD) + 1, run.port.misses());
        // The run stopped before the hole (block 0 of the next call raised it) and at each miss.
        assertEquals(HOLE, runs.get(0));
        assertEquals(0, runs.get(1), "the hole's fault came from the call it was block 0 of");
    }

    @Test
    void writeRunEqualsPageByPageWithAPermissionFault() {
        SmmuHarness one = rig();
        SmmuHarness run = rig();
        List<Integer> runs = new ArrayList<>();

        List<String> expected = pageByPage(one, VA, AccessType.WRITE);
        assertEquals(expected, byRuns(run, VA, AccessType.WRITE, runs));
        // Check the records before assertSameModelState consumes them.
        List<EventRecord> events = run.events();
        assertEquals(one.events(), events);
        assertSameModelState(one, run);

        // A write to the hole: F_TRANSLATION; to the read-only page (AP[2] = 1, cached by the
        // warm-up read): F_PERMISSION at level 3, RnW = 0, InputAddr the page (§7.3.15).
        assertEquals(2, events.size());
        assertEquals(EventFormat.F_TRANSLATION, events.get(0).id());
        assertEquals(VA + HOLE * PAGE, events.get(0).inputAddr());
        assertEquals(EventFormat.F_PERMISSION, events.get(1).id());
        assertEquals(VA + READ_ONLY * PAGE, events.get(1).inputAddr());
        assertTrue(!events.get(1).read());
        assertEquals(3, run.reported.get(1).level());
    }

    @Test
    void warmRunIsOneCallWithOneIotlbHitPerPage() {
        SmmuHarness h = rig();
        long[] frames = new long[4];
        long hits = h.port.hits();
        // Pages 6..9 are warm and readable: one call, each page its own lookup and hit.
        assertEquals(4, h.port.translateRun(SID, VA + 6 * PAGE + 8, AccessType.READ, frames, 4));
        assertEquals(PA + 6 * PAGE + 8, frames[0]);
        assertEquals(PA + 7 * PAGE, frames[1]);
        assertEquals(PA + 9 * PAGE, frames[3]);
        assertEquals(hits + 4, h.port.hits());
        assertEquals(0, h.reported.size());
    }

    @Test
    void bypassStreamTranslatesEveryPageToItself() {
        SmmuHarness h = SmmuHarness.stage1().up();
        h.writeEntry(h.steAddr(SID), SteFormat.D0_V.of(1) | SteFormat.D0_CONFIG.of(SteFormat.CONFIG_BYPASS));
        long[] frames = new long[3];
        assertEquals(3, h.port.translateRun(SID, VA + 0x10, AccessType.WRITE, frames, 3));
        assertEquals(VA + 0x10, frames[0]);
        assertEquals(VA + PAGE, frames[1]);
        assertEquals(VA + 2 * PAGE, frames[2]);
        assertEquals(0, h.port.hits() + h.port.misses(), "bypass looks nothing up");
    }

    @Test
    void badRunArgumentsChangeNothing() {
        SmmuHarness h = rig();
        long hits = h.port.hits();
        assertThrows(IllegalArgumentException.class, () -> h.port.translateRun(SID, VA, AccessType.READ, new long[2], 3));
        assertThrows(IllegalArgumentException.class, () -> h.port.translateRun(SID, VA, AccessType.READ, new long[2], 0));
        assertEquals(hits, h.port.hits());
    }
}
