package org.iommulab.smmu.v2.internal.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.iommulab.api.backend.TranslationPort;
import org.iommulab.api.iommu.IommuProt;
import org.iommulab.api.platform.AccessType;
import org.iommulab.api.platform.DmaFaultException;
import org.iommulab.iopgtable.lpae.LpaePageTable;
import org.iommulab.iopgtable.lpae.LpaeStage;
import org.iommulab.smmu.v2.internal.model.regs.Cb;
import org.iommulab.smmu.v2.internal.model.regs.Gr0;
import org.junit.jupiter.api.Test;

/**
 * The smmu-v2 port translates a run of pages under one hold of the model's lock with the
 * effects a translation per page would have had (TLB hits and misses, stale hits, faults and
 * their records): two models driven by the same script, one page by page, one run by run,
 * end in the same state.
 */
class TranslateRunTest {
    private static final int SID = 5;
    private static final int CB = 2;
    private static final int ASID = 9;
    private static final long PAGE = 0x1000;
    private static final long IOVA = 0x40_0000;
    private static final int PAGES = 48;

    /** One model with a stage-1 bank over a table, as the other tests of this package set it up. */
    private static final class Side {
        final ModelRig rig = new ModelRig();
        final LpaePageTable t = rig.table(LpaeStage.STAGE1, 48, 48);
        final TranslationPort port = rig.port("dev", SID);
        final List<String> log = new ArrayList<>();

        Side() {
            rig.programS1(CB, t, ASID);
            rig.stream(0, SID, CB);
            rig.enable(Gr0.SCR0_USFCFG.mask());
        }

        /** Clears the bank's fault status, as a driver's fault handler does. */
        void clearFault() {
            rig.hw.write32(rig.cb(CB, Cb.FSR), rig.read(rig.cb(CB, Cb.FSR)));
        }

        /** A device access of {@code pages} pages from {@code first}: the page-by-page loop a bus master without runs makes. */
        void accessPageByPage(long first, int pages, AccessType access) {
            for (int i = 0; i < pages; i++) {
                try {
                    log.add(Long.toHexString(port.translate(SID, at(first, i), access)));
                } catch (DmaFaultException e) {
                    log.add("fault " + e.fault().kind() + " at " + Long.toHexString(e.fault().address()));
                    clearFault();
                    return;
                }
            }
        }

        /** The same access as a bus master makes it: runs, each going on where the last one stopped. */
        void accessByRuns(long first, int pages, AccessType access, int runMax) {
            long[] frames = new long[runMax];
            int done = 0;
            while (done < pages) {
                int n;
                try {
                    n = port.translateRun(SID, at(first, done), access, frames, Math.min(runMax, pages - done));
                } catch (DmaFaultException e) {
                    log.add("fault " + e.fault().kind() + " at " + Long.toHexString(e.fault().address()));
                    clearFault();
                    return;
                }
                for (int i = 0; i < n; i++) {
                    log.add(Long.toHexString(frames[i]));
                }
                done += n;
            }
        }

        /** Page {@code i} of an access from {@code first}: {@code first} itself, then each later page's first byte. */
        static long at(long first, int i) {
            return i == 0 ? first : (first & -PAGE) + i * PAGE;
        }

        String state() {
            SmmuV2Model.ContextStats st = rig.hw.stats(CB);
            return "hits " + st.hits() + ", misses " + st.misses() + ", stale " + st.staleHits() + ", entries "
                    + st.tlbEntries() + ", context faults " + rig.irq.context.size() + ", FAR "
                    + Long.toHexString(rig.read(rig.cb(CB, Cb.FAR))) + ", FSYNR0 "
                    + Integer.toHexString(rig.read(rig.cb(CB, Cb.FSYNR0)));
        }
    }

    @Test
    void runsAndPageByPageEndInTheSameState() {
        Random rnd = new Random(7);
        Side byPage = new Side();
        Side byRun = new Side();
        Side[] both = {byPage, byRun};
        // Pages mapped read-write, read-only or not at all; the same physical pages on both
        // sides, since both allocate in the same order.
        for (int p = 0; p < PAGES; p++) {
            int kind = rnd.nextInt(8);
            if (kind == 0) {
                continue;
            }
            int prot = kind == 1 ? IommuProt.READ : ModelRig.RW;
            for (Side s : both) {
                assertEquals(0, s.t.map(IOVA + p * PAGE, s.rig.page(), PAGE, prot));
            }
        }
        for (int step = 0; step < 400; step++) {
            int what = rnd.nextInt(10);
            if (what == 0) {
                // Remap a page without invalidating: later hits through its entry are stale.
                long iova = IOVA + rnd.nextInt(PAGES) * PAGE;
                for (Side s : both) {
                    s.t.unmap(iova, PAGE, null);
                    assertEquals(0, s.t.map(iova, s.rig.page(), PAGE, ModelRig.RW));
                }
            } else if (what == 1) {
                // TLBIVA of one page, synced.
                long iova = IOVA + rnd.nextInt(PAGES) * PAGE;
                for (Side s : both) {
                    s.rig.tlbiVa(CB, Cb.TLBIVA, iova, ASID);
                    s.rig.sync(CB);
                }
            } else {
                long first = IOVA + rnd.nextInt(PAGES) * PAGE + rnd.nextInt(64) * 8;
                int pages = 1 + rnd.nextInt(Math.min(12, PAGES - (int) ((first - IOVA) / PAGE)));
                AccessType access = rnd.nextInt(3) == 0 ? AccessType.WRITE : AccessType.READ;
                int runMax = 1 + rnd.nextInt(8);
                byPage.accessPageByPage(first, pages, access);
                byRun.accessByRuns(first, pages, access, runMax);
                assertEquals(byPage.log, byRun.log, "step " + step);
                assertEquals(byPage.state(), byRun.state(), "step " + step);
            }
        }
        // The script did reach every path: hits, misses, stale hits and faults.
        SmmuV2Model.ContextStats st = byRun.rig.hw.stats(CB);
        assertTrue(st.hits() > 100 && st.misses() > 20 && st.staleHits() > 0, byRun.state());
        assertTrue(byRun.rig.irq.context.size() > 5, byRun.state());
    }

    @Test
    void aWriteRunStopsBeforeABlockWhoseDescriptorAnEarlierBlockReaches() {
        Side s = new Side();
        // Page 1 maps a page of its own; page 0 maps the level-3 table that holds page 1's
        // descriptor, so a device writing page 0 could change page 1's translation record.
        long pa1 = s.rig.page();
        assertEquals(0, s.t.map(IOVA + PAGE, pa1, PAGE, ModelRig.RW));
        long leaf = leafDescriptorAddress(s, IOVA + PAGE);
        long tablePage = leaf & -PAGE;
        assertEquals(0, s.t.map(IOVA, tablePage, PAGE, ModelRig.RW));
        assertEquals(tablePage, s.port.translate(SID, IOVA, AccessType.READ));
        assertEquals(pa1, s.port.translate(SID, IOVA + PAGE, AccessType.READ));
        long[] frames = new long[2];
        assertEquals(2, s.port.translateRun(SID, IOVA, AccessType.READ, frames, 2), "a read cannot change the table");
        assertEquals(1, s.port.translateRun(SID, IOVA, AccessType.WRITE, frames, 2),
                "a write run stops before page 1, whose descriptor page 0 reaches");
        assertEquals(tablePage, frames[0]);
        assertEquals(1, s.port.translateRun(SID, IOVA + PAGE, AccessType.WRITE, frames, 1),
                "page 1 then translates as a run of its own");
        assertEquals(pa1, frames[0]);
    }

    @Test
    void aBypassingStreamTranslatesTheWholeRunAsItself() {
        ModelRig rig = new ModelRig();
        TranslationPort port = rig.port("dev", SID);
        // No SMR matches the stream and sCR0.USFCFG is clear: the transaction bypasses.
        rig.enable(0);
        long[] frames = new long[4];
        assertEquals(4, port.translateRun(SID, 0x1234_5010L, AccessType.WRITE, frames, 4));
        assertEquals(0x1234_5010L, frames[0]);
        assertEquals(0x1234_6000L, frames[1]);
        assertEquals(0x1234_8000L, frames[3]);
    }

    @Test
    void badRunArgumentsAreRefusedAndCountNothing() {
        Side s = new Side();
        assertEquals(0, s.t.map(IOVA, s.rig.page(), PAGE, ModelRig.RW));
        assertThrows(IllegalArgumentException.class, () -> s.port.translateRun(SID, IOVA, AccessType.READ, new long[4], 0));
        assertThrows(IllegalArgumentException.class, () -> s.port.translateRun(SID, IOVA, AccessType.READ, new long[1], 2));
        assertThrows(IllegalArgumentException.class, () -> s.port.translateRun(SID, IOVA, AccessType.READ, null, 1));
        assertEquals("hits 0, misses 0", s.state().substring(0, "hits 0, misses 0".length()));
    }

    /** The address of the level-3 descriptor of {@code iova}, walked by hand (4 KiB granule, 48-bit input, level 0 first). */
    private static long leafDescriptorAddress(Side s, long iova) {
        long table = s.t.ttb() & 0x0000_FFFF_FFFF_F000L;
        for (int level = 0; level < 3; level++) {
            long index = (iova >>> (39 - 9 * level)) & 0x1ff;
            long desc = s.rig.mem.readLong(table + index * 8);
            assertEquals(3, desc & 3, "a table descriptor at level " + level);
            table = desc & 0x0000_FFFF_FFFF_F000L;
        }
        return table + ((iova >>> 12) & 0x1ff) * 8;
    }
}
