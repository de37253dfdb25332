package org.iommulab.iopgtable.lpae;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.iommulab.api.iommu.IommuErrno;
import org.iommulab.api.iommu.IommuProt;
import org.iommulab.api.platform.AccessType;
import org.iommulab.iopgtable.DescriptorReader;
import org.iommulab.iopgtable.TestMemory;
import org.iommulab.iopgtable.TestPageAllocator;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Linux's {@code arm_lpae_do_selftests} (drivers/iommu/io-pgtable-arm-selftests.c): every
 * page-size set x every IAS <= OAS from {32, 36, 40, 42, 44, 48} x stage 1 and stage 2, through
 * the public operations only, with the hardware walker checked against the writer on every
 * mapping.
 */
class LpaeSelfTest {
    private static final long SZ_1G = 1L << 30;
    private static final long SZ_2G = 2L << 30;
    private static final long[] PGSIZES = {
        (1L << 12) | (1L << 21) | (1L << 30),
        (1L << 14) | (1L << 25),
        (1L << 16) | (1L << 29),
    };
    private static final int[] ADDRESS_SIZE = {32, 36, 40, 42, 44, 48};

    @TestFactory
    List<DynamicTest> selftest() {
        List<DynamicTest> tests = new ArrayList<>();
        for (long pgsize : PGSIZES) {
            for (int j = 0; j < ADDRESS_SIZE.length; j++) {
                // "Don't use ias > oas as it is not valid for stage-2."
                for (int k = 0; k <= j; k++) {
                    int ias = ADDRESS_SIZE[k];
                    int oas = ADDRESS_SIZE[j];
                    for (LpaeStage stage : LpaeStage.values()) {
                        tests.add(DynamicTest.dynamicTest(String.format("pgsize 0x%x IAS %d OAS %d %s", pgsize, ias, oas, stage),
                                () -> run(stage, pgsize, ias, oas)));
                    }
                }
            }
        }
        return tests;
    }

    private static void run(LpaeStage stage, long pgsizeBitmap, int ias, int oas) {
        TestMemory mem = TestMemory.defaultLayout();
        TestPageAllocator alloc = new TestPageAllocator(mem);
        LpaeConfig cfg = LpaeConfig.of(stage, pgsizeBitmap, ias, oas);
        assertEquals(pgsizeBitmap, cfg.pgsizeBitmap());
        LpaePageTable ops = LpaePageTable.allocate(cfg, mem, alloc, new RecordingTlb());
        assertNotNull(ops);
        LpaeTranslationConfig hw = LpaeTranslationConfig.builder(stage, cfg.granule()).inputSize(cfg.ias())
                .startLevel(cfg.startLevel()).outputSize(cfg.oas()).ttb(ops.ttb()).build();
        LpaeWalker walker = new LpaeWalker(DescriptorReader.of(mem));
        LpaeWalkResult r = new LpaeWalkResult();

        // Initial sanity checks: empty page tables shouldn't provide any translations.
        for (long iova : new long[] {42, SZ_1G + 42, SZ_2G + 42}) {
            assertEquals(0, ops.iovaToPhys(iova));
            assertFalse(walker.walk(hw, iova, AccessType.READ, false, r));
            assertEquals(LpaeFault.TRANSLATION, r.fault());
        }

        // Distinct mappings of different granule sizes.
        long iova = 0;
        for (long size : sizes(pgsizeBitmap)) {
            int rw = IommuProt.READ | IommuProt.WRITE | IommuProt.NOEXEC | IommuProt.CACHE;
            assertEquals(size, ops.mapPages(iova, iova, size, 1, rw));
            // Overlapping mappings
            assertEquals(IommuErrno.EEXIST, ops.mapPages(iova, iova + size, size, 1, IommuProt.READ | IommuProt.NOEXEC));
            assertEquals(iova + 42, ops.iovaToPhys(iova + 42));
            checkWalk(walker, hw, r, iova + 42, size, true, true);
            checkWalk(walker, hw, r, iova + size - 1, size, true, true);
            iova += SZ_1G;
        }

        // Full unmap
        iova = 0;
        for (long size : sizes(pgsizeBitmap)) {
            assertEquals(size, ops.unmapPages(iova, size, 1, null));
            assertEquals(0, ops.iovaToPhys(iova + 42));
            assertFalse(walker.walk(hw, iova + 42, AccessType.READ, false, r));
            assertEquals(LpaeFault.TRANSLATION, r.fault());
            // Remap full block, write-only
            assertEquals(size, ops.mapPages(iova, iova, size, 1, IommuProt.WRITE));
            assertEquals(iova + 42, ops.iovaToPhys(iova + 42));
            // Stage 1 has no write-only AP encoding (reads are allowed); stage 2 HAP has one.
            checkWalk(walker, hw, r, iova + 42, size, stage == LpaeStage.STAGE1, true);
            iova += SZ_1G;
        }

        // Map/unmap the last largest supported page of the IAS, this can trigger corner cases
        // in the concatenated page tables.
        long size = Long.highestOneBit(pgsizeBitmap);
        iova = (1L << cfg.ias()) - size;
        int rw = IommuProt.READ | IommuProt.WRITE | IommuProt.NOEXEC | IommuProt.CACHE;
        assertEquals(size, ops.mapPages(iova, iova, size, 1, rw));
        checkWalk(walker, hw, r, iova + size - 1, size, true, true);
        assertEquals(size, ops.unmapPages(iova, size, 1, null));
        assertFalse(walker.walk(hw, iova, AccessType.READ, false, r));

        ops.free();
        assertEquals(0, alloc.allocatedBytes(), "every table page returned");
    }

    private static void checkWalk(LpaeWalker walker, LpaeTranslationConfig hw, LpaeWalkResult r, long iova, long size,
            boolean readable, boolean writable) {
        assertEquals(readable, walker.walk(hw, iova, AccessType.READ, false, r), r.toString());
        assertEquals(iova, r.outputAddress(), r.toString());
        assertEquals(size, r.blockSize());
        assertEquals(readable, r.readable());
        assertEquals(writable, r.writable());
        if (!readable) {
            assertEquals(LpaeFault.PERMISSION, r.fault());
        }
        assertEquals(writable, walker.walk(hw, iova, AccessType.WRITE, false, r), r.toString());
        assertTrue(r.blockShift() >= 12);
    }

    private static long[] sizes(long bitmap) {
        long[] out = new long[Long.bitCount(bitmap)];
        int i = 0;
        for (long b = bitmap; b != 0; b &= b - 1) {
            out[i++] = Long.lowestOneBit(b);
        }
        return out;
    }
}
