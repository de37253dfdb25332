package org.iommulab.iopgtable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.iommulab.api.iommu.IommuProt;
import org.iommulab.api.platform.AccessType;
import org.iommulab.api.platform.Zone;
import org.iommulab.iopgtable.lpae.LpaeConfig;
import org.iommulab.iopgtable.lpae.LpaeFault;
import org.iommulab.iopgtable.lpae.LpaeFormat;
import org.iommulab.iopgtable.lpae.LpaeGranule;
import org.iommulab.iopgtable.lpae.LpaePageTable;
import org.iommulab.iopgtable.lpae.LpaeStage;
import org.iommulab.iopgtable.lpae.LpaeTranslationConfig;
import org.iommulab.iopgtable.lpae.LpaeWalkResult;
import org.iommulab.iopgtable.lpae.LpaeWalker;


import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A stage-1 walk whose tables sit at IPAs: three hand-written stage-1 tables (4K granule,
 * 39-bit VA, start level 1) at IPAs a stage-2 table maps, page by page, to where they really are.
 */
class NestedDescriptorReaderTest {
    private static final long IPA_L1 = 0x10_0000_0000L;
    private static final long IPA_L2 = IPA_L1 + 0x1000;
    private static final long IPA_L3 = IPA_L1 + 0x2000;
    private static final long VA = 0x4020_3000L; // L1 index 1, L2 index 1, L3 index 3
    private static final long OUT = 0x5000_0000L;
    private static final long NOT_RAM = 0x2000_0000L;
    private static final int RW = IommuProt.READ | IommuProt.WRITE;

    private final TestMemory mem = TestMemory.defaultLayout();
    private final TestPageAllocator alloc = new TestPageAllocator(mem);
    private final NestedDescriptorReader reader = new NestedDescriptorReader(DescriptorReader.of(mem));
    private final LpaeWalker walker = new LpaeWalker(reader);
    private final LpaeWalkResult r = new LpaeWalkResult();
    private LpaePageTable stage2;
    private LpaeTranslationConfig s1;
    private LpaeTranslationConfig s2;
    private long l2;
    private long l3;

    @BeforeEach
    void tables() {
        long l1 = alloc.allocPages(1, Zone.NORMAL);
        l2 = alloc.allocPages(1, Zone.NORMAL);
        l3 = alloc.allocPages(1, Zone.NORMAL);
        mem.writeLong(l1 + 8, IPA_L2 | LpaeFormat.PTE_TYPE_TABLE);
        mem.writeLong(l2 + 8, IPA_L3 | LpaeFormat.PTE_TYPE_TABLE);
        mem.writeLong(l3 + 3 * 8, OUT | LpaeFormat.PTE_AF | LpaeFormat.PTE_AP_UNPRIV | LpaeFormat.PTE_TYPE_PAGE);
        stage2 = LpaePageTable.allocate(LpaeConfig.of(LpaeStage.STAGE2, 1L << 12, 40, 40), mem, alloc,
                new NoFlushOps());
        assertEquals(0, stage2.map(IPA_L1, l1, 0x1000, RW));
        assertEquals(0, stage2.map(IPA_L2, l2, 0x1000, RW));
        assertEquals(0, stage2.map(IPA_L3, l3, 0x1000, RW));
        s1 = LpaeTranslationConfig.builder(LpaeStage.STAGE1, LpaeGranule.G4K).inputSize(39).outputSize(40).ttb(IPA_L1)
                .build();
        s2 = LpaeTranslationConfig.builder(LpaeStage.STAGE2, LpaeGranule.G4K).inputSize(40)
                .startLevel(stage2.config().startLevel()).outputSize(40).ttb(stage2.ttb()).build();
    }

    @Test
    void eachFetchGoesThroughStageTwo() {
        reader.begin(s2);
        assertTrue(walker.walk(s1, VA + 0x40, AccessType.READ, false, r), r.toString());
        assertEquals(OUT + 0x40, r.outputAddress());
        assertEquals(IPA_L3 + 3 * 8, r.descriptorAddress(), "the walk sees IPAs");
        assertEquals(l3 + 3 * 8, reader.lastPa(), "the reader knows the PA");
        assertNull(reader.stage2Fault());
    }

    @Test
    void aStageTwoFaultOnAFetchIsRecordedAndTheStageOneWalkAborts() {
        assertEquals(0x1000, stage2.unmap(IPA_L3, 0x1000, null));
        reader.begin(s2);
        assertFalse(walker.walk(s1, VA, AccessType.READ, false, r));
        assertEquals(LpaeFault.WALK_EABT, r.fault());
        assertEquals(3, r.level(), "the stage-1 level whose fetch faulted");
        assertEquals(LpaeFault.TRANSLATION, reader.stage2Fault());
        assertEquals(3, reader.stage2FaultLevel());
        assertEquals(IPA_L3 + 3 * 8, reader.stage2FaultIpa());
        assertEquals(l2 + 8, reader.lastPa(), "the last fetch that did translate");
        reader.begin(s2);
        assertNull(reader.stage2Fault(), "begin forgets the fault");
        assertEquals(-1, reader.lastPa());
    }

    @Test
    void aFetchThatTranslatesOutsideRamIsAStageOneAbort() {
        assertEquals(0x1000, stage2.unmap(IPA_L3, 0x1000, null));
        assertEquals(0, stage2.map(IPA_L3, NOT_RAM, 0x1000, RW));
        reader.begin(s2);
        assertFalse(walker.walk(s1, VA, AccessType.READ, false, r));
        assertEquals(LpaeFault.WALK_EABT, r.fault());
        assertNull(reader.stage2Fault(), "stage 2 translated it");
        assertEquals(NOT_RAM + 3 * 8, reader.lastPa(), "the fetch address to report");
    }

    @Test
    void misuseIsRefused() {
        assertThrows(IllegalStateException.class, () -> reader.readDescriptor(IPA_L1), "no begin");
        assertThrows(IllegalArgumentException.class, () -> reader.begin(s1), "a stage-1 regime");
        assertThrows(IllegalArgumentException.class, () -> new NestedDescriptorReader(null));
    }
}
