package org.iommulab.smmu.v2.internal.model;

import static org.iommulab.api.platform.AccessType.READ;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.iommulab.api.backend.TranslationPort;
import org.iommulab.api.platform.FaultKind;
import org.iommulab.iopgtable.lpae.LpaePageTable;
import org.iommulab.iopgtable.lpae.LpaeStage;
import org.iommulab.smmu.v2.internal.model.regs.Cb;
import org.iommulab.smmu.v2.internal.model.regs.Gr0;
import org.junit.jupiter.api.Test;

/** TLB maintenance by each operation, and the stale entries that survive without it. */
class TlbInvalidationTest {
    private static final int SID = 5;
    private static final int CB = 2;
    private static final int ASID = 9;

    private ModelRig rig;
    private LpaePageTable t;
    private TranslationPort port;

    TlbInvalidationTest() {
        setUp(new ModelRig());
    }

    private void setUp(ModelRig r) {
        rig = r;
        t = rig.table(LpaeStage.STAGE1, 48, 48);
        port = rig.port("dev", SID);
        rig.programS1(CB, t, ASID);
        rig.stream(0, SID, CB);
        rig.enable(Gr0.SCR0_USFCFG.mask());
    }

    private boolean faults(long va) {
        try {
            port.translate(SID, va, READ);
            return false;
        } catch (org.iommulab.api.platform.DmaFaultException e) {
            assertEquals(FaultKind.TRANSLATION, e.fault().kind());
            rig.hw.write32(rig.cb(CB, Cb.FSR), rig.read(rig.cb(CB, Cb.FSR)));
            return true;
        }
    }

    /** Maps {@code n} pages at {@code iova}, touches each, unmaps them without invalidating. */
    private long[] mapTouchUnmap(long iova, int n) {
        long[] pa = new long[n];
        for (int i = 0; i < n; i++) {
            pa[i] = rig.page();
            t.map(iova + i * 0x1000L, pa[i], 0x1000, ModelRig.RW);
            assertEquals(pa[i], port.translate(SID, iova + i * 0x1000L, READ));
        }
        t.unmap(iova, n * 0x1000L, null);
        return pa;
    }

    @Test
    void hitsAndMissesAreCounted() {
        long pa = rig.page();
        t.map(0x1000, pa, 0x1000, ModelRig.RW);
        port.translate(SID, 0x1000, READ);
        port.translate(SID, 0x1008, READ);
        port.translate(SID, 0x1ff8, READ);
        SmmuV2Model.ContextStats st = rig.hw.stats(CB);
        assertEquals(1, st.misses());
        assertEquals(2, st.hits());
        assertEquals(1, st.tlbEntries());
    }

    @Test
    void withoutInvalidationTheStaleEntryKeepsTranslating() {
        long[] pa = mapTouchUnmap(0x1000, 1);
        assertEquals(pa[0] + 0x10, port.translate(SID, 0x1010, READ));
        assertEquals(1, rig.hw.stats(CB).staleHits(), "the hit through a changed descriptor is counted");
    }

    @Test
    void tlbivaTakesEffectWhenTheSyncCompletes() {
        long[] pa = mapTouchUnmap(0x1000, 1);
        rig.tlbiVa(CB, Cb.TLBIVA, 0x1000, ASID);
        assertEquals(pa[0], port.translate(SID, 0x1000, READ), "not yet: no sync");
        rig.sync(CB);
        assertEquals(true, faults(0x1000));
    }

    @Test
    void tlbivaOfAnotherAsidLeavesTheEntry() {
        long[] pa = mapTouchUnmap(0x1000, 1);
        rig.tlbiVa(CB, Cb.TLBIVA, 0x1000, ASID + 1);
        rig.sync(CB);
        assertEquals(pa[0], port.translate(SID, 0x1000, READ));
    }

    @Test
    void tlbivaaDropsTheAddressWhateverItsAsid() {
        mapTouchUnmap(0x1000, 2);
        rig.hw.write64(rig.cb(CB, Cb.TLBIVAA), 0x2000 >>> 12);
        rig.sync(CB);
        assertEquals(true, faults(0x2000));
        assertEquals(false, faults(0x1000), "0x1000 was not named");
        rig.hw.write64(rig.cb(CB, Cb.TLBIVAAL), 0x1000 >>> 12);
        rig.sync(CB);
        assertEquals(true, faults(0x1000));
    }

    @Test
    void tlbivalLeavesTheWalkCacheWhileTlbivaDropsIt() {
        long a = 0x20_0000;
        long pa1 = rig.page();
        t.map(a, pa1, 0x1000, ModelRig.RW);
        assertEquals(pa1, port.translate(SID, a, READ)); // leaf + walk cache of the level-3 table
        t.unmap(a, 0x1000, null); // the level-3 table empties and stays linked
        long block = rig.block2m();
        // A block over it unlinks the table; this rig's flush callbacks do nothing, so the walk
        // cache still holds it: only the TLBIs below decide what the SMMU sees.
        t.map(a, block, 0x20_0000, ModelRig.RW);
        rig.tlbiVa(CB, Cb.TLBIVAL, a, ASID);
        rig.sync(CB);
        assertEquals(true, faults(a), "the walk resumed in the old, emptied table");
        rig.tlbiVa(CB, Cb.TLBIVA, a, ASID);
        rig.sync(CB);
        assertEquals(block, port.translate(SID, a, READ));
    }

    @Test
    void tlbiasidDropsEveryEntryOfTheAsid() {
        mapTouchUnmap(0x1000, 3);
        rig.hw.write32(rig.cb(CB, Cb.TLBIASID), ASID);
        rig.sync(CB);
        assertEquals(true, faults(0x1000));
        assertEquals(true, faults(0x3000));
    }

    @Test
    void tlbiallDropsEverything() {
        mapTouchUnmap(0x1000, 2);
        rig.hw.write32(rig.cb(CB, Cb.TLBIALL), 0);
        rig.sync(CB);
        assertEquals(0, rig.hw.stats(CB).tlbEntries());
        assertEquals(true, faults(0x2000));
    }

    @Test
    void tlbiallnsnhNeedsTheGlobalSync() {
        long[] pa = mapTouchUnmap(0x1000, 1);
        rig.hw.write32(rig.gr0(Gr0.TLBIALLNSNH), -1);
        rig.sync(CB);
        assertEquals(pa[0], port.translate(SID, 0x1000, READ), "a context sync does not complete a global TLBI");
        rig.syncGlobal();
        assertEquals(true, faults(0x1000));
    }

    @Test
    void syncLatencyKeepsTheOldEntryUntilStatusClears() {
        ModelRig slow = new ModelRig(SmmuV2Params.mmu500().withTiming(4096, 64, 3));
        setUp(slow);
        long[] pa = mapTouchUnmap(0x1000, 1);
        rig.tlbiVa(CB, Cb.TLBIVA, 0x1000, ASID);
        slow.hw.write32(slow.cb(CB, Cb.TLBSYNC), -1);
        for (int i = 0; i < 3; i++) {
            assertEquals(1, slow.read(slow.cb(CB, Cb.TLBSTATUS)) & 1, "SACTIVE on poll " + (i + 1));
            assertEquals(pa[0], port.translate(SID, 0x1000, READ));
        }
        assertEquals(0, slow.read(slow.cb(CB, Cb.TLBSTATUS)) & 1);
        assertEquals(true, faults(0x1000));
    }

    @Test
    void aStuckSyncNeverCompletes() {
        long[] pa = mapTouchUnmap(0x1000, 1);
        rig.hw.setSyncStuck(true);
        rig.tlbiVa(CB, Cb.TLBIVA, 0x1000, ASID);
        rig.hw.write32(rig.cb(CB, Cb.TLBSYNC), -1);
        for (int i = 0; i < 500; i++) {
            assertEquals(1, rig.read(rig.cb(CB, Cb.TLBSTATUS)) & 1);
        }
        rig.hw.write32(rig.gr0(Gr0.STLBGSYNC), -1);
        assertEquals(1, rig.read(rig.gr0(Gr0.STLBGSTATUS)) & 1);
        assertEquals(pa[0], port.translate(SID, 0x1000, READ));
        rig.hw.setSyncStuck(false);
        assertEquals(0, rig.read(rig.cb(CB, Cb.TLBSTATUS)) & 1);
        assertEquals(true, faults(0x1000));
    }

    @Test
    void invalidatingOnlyTheFirstAddressOfARangeLeavesTheRestStale() {
        // Linux before v4.5 ("iommu/arm-smmu: Invalidate TLBs properly"): one TLBIVA per range.
        long[] pa = mapTouchUnmap(0x10000, 4);
        rig.tlbiVa(CB, Cb.TLBIVA, 0x10000, ASID);
        rig.sync(CB);
        assertEquals(true, faults(0x10000));
        for (int i = 1; i < 4; i++) {
            assertEquals(pa[i], port.translate(SID, 0x10000 + i * 0x1000L, READ), "page " + i + " is stale");
        }
        for (int i = 0; i < 4; i++) {
            rig.tlbiVa(CB, Cb.TLBIVA, 0x10000 + i * 0x1000L, ASID);
        }
        rig.sync(CB);
        for (int i = 0; i < 4; i++) {
            assertEquals(true, faults(0x10000 + i * 0x1000L));
        }
    }

    @Test
    void aBlockIsDroppedWholeByOneTlbivalOnAnSmmuWithoutTheErratum() {
        long block = blockTouched();
        rig.tlbiVa(CB, Cb.TLBIVAL, block, ASID);
        rig.sync(CB);
        for (long off : new long[] {0, 0x1000, 0x1f_f000}) {
            assertEquals(true, faults(block + off));
        }
    }

    @Test
    void withTheQualcommErratumOneTlbivalDropsOnlyTheBlocksBasePage() {
        rig.hw.setBasePageTlbiErratum(true);
        long block = blockTouched();
        rig.tlbiVa(CB, Cb.TLBIVAL, block, ASID);
        rig.sync(CB);
        assertEquals(true, faults(block));
        assertEquals(false, faults(block + 0x1000), "the rest of the block is stale: use after free");
        for (long off = 0; off < 0x20_0000; off += 0x1000) {
            rig.tlbiVa(CB, Cb.TLBIVAL, block + off, ASID);
        }
        rig.sync(CB);
        assertEquals(true, faults(block + 0x1000));
        assertEquals(true, faults(block + 0x1f_f000));
    }

    /** A 2 MiB block at 0x4000_0000 touched at three pages, then unmapped without invalidation. */
    private long blockTouched() {
        long pa = rig.pages(1024);
        long blockPa = (pa + 0x1f_ffff) & ~0x1f_ffffL;
        long block = 0x4000_0000L;
        t.map(block, blockPa, 0x20_0000, ModelRig.RW);
        for (long off : new long[] {0, 0x1000, 0x1f_f000}) {
            assertEquals(blockPa + off, port.translate(SID, block + off, READ));
        }
        t.unmap(block, 0x20_0000, null);
        return block;
    }
}
