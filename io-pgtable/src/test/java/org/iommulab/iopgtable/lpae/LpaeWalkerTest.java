package org.iommulab.iopgtable.lpae;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.iommulab.api.platform.AccessType;
import org.iommulab.api.platform.FaultKind;
import org.iommulab.iopgtable.DescriptorFetchAbort;
import org.iommulab.iopgtable.DescriptorReader;
import org.iommulab.iopgtable.TestMemory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The walker on tables written by hand (not by the writer), so that each architectural rule is
 * tested on its own: 4K granule, 39-bit input (start level 1), tables at fixed addresses.
 */
class LpaeWalkerTest {
    private static final long L1 = 0x4000_0000L;
    private static final long L2 = 0x4000_1000L;
    private static final long L3 = 0x4000_2000L;
    private static final long PAGE = 0x5000_0000L;
    private static final long IOVA = 0x4020_3000L; // L1 idx 1, L2 idx 1, L3 idx 3
    private static final long LEAF_S1 = LpaeFormat.PTE_AF | LpaeFormat.PTE_AP_UNPRIV | LpaeFormat.PTE_TYPE_PAGE;

    private final TestMemory mem = TestMemory.defaultLayout();
    private final LpaeWalker walker = new LpaeWalker(DescriptorReader.of(mem));
    private final LpaeWalkResult r = new LpaeWalkResult();
    private LpaeTranslationConfig s1;

    @BeforeEach
    void tables() {
        mem.writeLong(L1 + 8, L2 | LpaeFormat.PTE_TYPE_TABLE);
        mem.writeLong(L2 + 8, L3 | LpaeFormat.PTE_TYPE_TABLE);
        mem.writeLong(L3 + 3 * 8, PAGE | LEAF_S1);
        s1 = LpaeTranslationConfig.builder(LpaeStage.STAGE1, LpaeGranule.G4K).inputSize(39).outputSize(40).ttb(L1).build();
    }

    @Test
    void translatesAPage() {
        assertEquals(1, s1.startLevel());
        assertTrue(walker.walk(s1, IOVA + 0x123, AccessType.WRITE, false, r));
        assertEquals(PAGE + 0x123, r.outputAddress());
        assertEquals(3, r.level());
        assertEquals(12, r.blockShift());
        assertEquals(L3 + 24, r.descriptorAddress());
    }

    @Test
    void translationFaults() {
        assertFalse(walker.walk(s1, IOVA + 0x1000, AccessType.READ, false, r));
        assertEquals(LpaeFault.TRANSLATION, r.fault());
        assertEquals(3, r.level());
        assertFalse(walker.walk(s1, 1L << 39, AccessType.READ, false, r), "beyond the input size");
        assertEquals(0, r.level());
        // Type 1 at level 3 is reserved.
        mem.writeLong(L3 + 3 * 8, PAGE | LpaeFormat.PTE_AF | LpaeFormat.PTE_TYPE_BLOCK);
        assertFalse(walker.walk(s1, IOVA, AccessType.READ, false, r));
        assertEquals(LpaeFault.TRANSLATION, r.fault());
        // No level-0 blocks with 4K: a 48-bit regime with a block at level 0 faults.
        mem.writeLong(0x4001_0000L, LpaeFormat.PTE_AF | LpaeFormat.PTE_TYPE_BLOCK);
        LpaeTranslationConfig l0 = LpaeTranslationConfig.builder(LpaeStage.STAGE1, LpaeGranule.G4K).inputSize(48)
                .outputSize(48).ttb(0x4001_0000L).build();
        assertFalse(walker.walk(l0, 0x42, AccessType.READ, true, r));
        assertEquals(LpaeFault.TRANSLATION, r.fault());
        assertEquals(0, r.level());
    }

    @Test
    void blocksTranslateWithTheirSize() {
        mem.writeLong(L2 + 2 * 8, 0x8020_0000L | LpaeFormat.PTE_AF | LpaeFormat.PTE_AP_UNPRIV | LpaeFormat.PTE_TYPE_BLOCK);
        assertTrue(walker.walk(s1, 0x4040_0000L + 0x1234, AccessType.READ, false, r));
        assertEquals(0x8020_1234L, r.outputAddress());
        assertEquals(21, r.blockShift());
        assertEquals(2, r.level());
    }

    @Test
    void accessFlagFaultUnlessDisabledOrHardwareManaged() {
        mem.writeLong(L3 + 3 * 8, PAGE | LpaeFormat.PTE_AP_UNPRIV | LpaeFormat.PTE_TYPE_PAGE);
        assertFalse(walker.walk(s1, IOVA, AccessType.READ, false, r));
        assertEquals(LpaeFault.ACCESS_FLAG, r.fault());
        assertEquals(FaultKind.ACCESS_FLAG, r.fault().kind());
        LpaeTranslationConfig affd = LpaeTranslationConfig.builder(LpaeStage.STAGE1, LpaeGranule.G4K).inputSize(39)
                .outputSize(40).ttb(L1).accessFlagFaultDisabled(true).build();
        assertTrue(walker.walk(affd, IOVA, AccessType.READ, false, r));
        assertFalse(r.accessFlagUpdate(), "AFFD does not touch the descriptor");
        LpaeTranslationConfig ha = LpaeTranslationConfig.builder(LpaeStage.STAGE1, LpaeGranule.G4K).inputSize(39)
                .outputSize(40).ttb(L1).hardwareAccessFlag(true).build();
        assertTrue(walker.walk(ha, IOVA, AccessType.READ, false, r));
        assertTrue(r.accessFlagUpdate(), "HA: AF is to be set");
        assertEquals(L3 + 3 * 8, r.descriptorAddress());
        assertEquals(0, mem.readLong(L3 + 3 * 8) & LpaeFormat.PTE_AF, "the walker itself only reads");
        // The caller (the model) makes the hardware's write; the next walk finds AF set.
        mem.writeLong(r.descriptorAddress(), r.descriptor() | LpaeFormat.PTE_AF);
        assertTrue(walker.walk(ha, IOVA, AccessType.READ, false, r));
        assertFalse(r.accessFlagUpdate());
    }

    @Test
    void accessFlagIsCheckedBeforePermission() {
        mem.writeLong(L3 + 3 * 8, PAGE | LpaeFormat.PTE_AP_RDONLY | LpaeFormat.PTE_AP_UNPRIV | LpaeFormat.PTE_TYPE_PAGE);
        assertFalse(walker.walk(s1, IOVA, AccessType.WRITE, false, r));
        assertEquals(LpaeFault.ACCESS_FLAG, r.fault());
    }

    @Test
    void stageOnePermissions() {
        mem.writeLong(L3 + 3 * 8, PAGE | LEAF_S1 | LpaeFormat.PTE_AP_RDONLY);
        assertTrue(walker.walk(s1, IOVA, AccessType.READ, false, r));
        assertFalse(walker.walk(s1, IOVA, AccessType.WRITE, false, r));
        assertEquals(LpaeFault.PERMISSION, r.fault());
        assertEquals(3, r.level());
        // A privileged-only mapping (AP[1] clear): unprivileged accesses fault.
        mem.writeLong(L3 + 3 * 8, PAGE | LpaeFormat.PTE_AF | LpaeFormat.PTE_TYPE_PAGE);
        assertFalse(walker.walk(s1, IOVA, AccessType.READ, false, r));
        assertEquals(LpaeFault.PERMISSION, r.fault());
        assertTrue(walker.walk(s1, IOVA, AccessType.WRITE, true, r));
        // APTable[1] in the level-2 table descriptor makes everything below read-only, unless HAD.
        mem.writeLong(L3 + 3 * 8, PAGE | LEAF_S1);
        mem.writeLong(L1 + 8, L2 | LpaeFormat.PTE_TYPE_TABLE | LpaeFormat.TABLE_AP_RDONLY);
        assertFalse(walker.walk(s1, IOVA, AccessType.WRITE, false, r));
        assertEquals(LpaeFault.PERMISSION, r.fault());
        LpaeTranslationConfig had = LpaeTranslationConfig.builder(LpaeStage.STAGE1, LpaeGranule.G4K).inputSize(39)
                .outputSize(40).ttb(L1).hierarchicalAttributesDisabled(true).build();
        assertTrue(walker.walk(had, IOVA, AccessType.WRITE, false, r));
    }

    @Test
    void stageTwoPermissionsAndConcatenatedStart() {
        // 40-bit IPA, start level 1 with 2 concatenated tables (10 index bits).
        long pgd = 0x4010_0000L;
        long ipa = (1L << 39) + 0x203000L;
        mem.writeLong(pgd + (512 + 0) * 8, L2 | LpaeFormat.PTE_TYPE_TABLE);
        mem.writeLong(L2 + 1 * 8, L3 | LpaeFormat.PTE_TYPE_TABLE);
        mem.writeLong(L3 + 3 * 8, PAGE | LpaeFormat.PTE_AF | LpaeFormat.PTE_HAP_WRITE | LpaeFormat.PTE_TYPE_PAGE);
        LpaeTranslationConfig s2 = LpaeTranslationConfig.builder(LpaeStage.STAGE2, LpaeGranule.G4K).inputSize(40)
                .startLevel(1).outputSize(40).ttb(pgd).build();
        assertEquals(10, s2.startBits());
        assertTrue(walker.walk(s2, ipa, AccessType.WRITE, false, r), r.toString());
        assertEquals(PAGE, r.outputAddress());
        assertFalse(walker.walk(s2, ipa, AccessType.READ, false, r), "HAP write-only");
        assertEquals(LpaeFault.PERMISSION, r.fault());
        // APTable bits mean nothing at stage 2.
        mem.writeLong(pgd + 512 * 8, L2 | LpaeFormat.PTE_TYPE_TABLE | LpaeFormat.TABLE_AP_RDONLY);
        assertTrue(walker.walk(s2, ipa, AccessType.WRITE, false, r));
        assertThrows(IllegalArgumentException.class, () -> LpaeTranslationConfig.builder(LpaeStage.STAGE1,
                LpaeGranule.G4K).inputSize(40).startLevel(1).outputSize(40).ttb(pgd).build(),
                "stage 1 cannot concatenate");
    }

    @Test
    void addressSizeFaults() {
        mem.writeLong(L3 + 3 * 8, (1L << 40) | LEAF_S1);
        assertFalse(walker.walk(s1, IOVA, AccessType.READ, false, r));
        assertEquals(LpaeFault.ADDRESS_SIZE, r.fault());
        assertEquals(3, r.level());
        mem.writeLong(L2 + 8, (1L << 41) | LpaeFormat.PTE_TYPE_TABLE);
        assertFalse(walker.walk(s1, IOVA, AccessType.READ, false, r));
        assertEquals(LpaeFault.ADDRESS_SIZE, r.fault());
        assertEquals(2, r.level());
        LpaeTranslationConfig high = LpaeTranslationConfig.builder(LpaeStage.STAGE1, LpaeGranule.G4K).inputSize(39)
                .outputSize(32).ttb(0x1_0000_0000L).build();
        assertFalse(walker.walk(high, IOVA, AccessType.READ, false, r));
        assertEquals(LpaeFault.ADDRESS_SIZE, r.fault());
        assertEquals(0, r.level());
    }

    @Test
    void fetchOutsideRamIsAnExternalAbort() {
        mem.writeLong(L2 + 8, 0x2000_0000L | LpaeFormat.PTE_TYPE_TABLE); // below RAM
        assertFalse(walker.walk(s1, IOVA, AccessType.READ, false, r));
        assertEquals(LpaeFault.WALK_EABT, r.fault());
        assertEquals(FaultKind.FETCH_ABORT, r.fault().kind());
        assertEquals(0x2000_0000L + 3 * 8, r.descriptorAddress());
        assertEquals(3, r.level());
    }

    @Test
    void aReaderAbortIsAnExternalAbortAtThatLevel() {
        // A reader that refuses the level-2 table, wherever it is: the walk stops there.
        LpaeWalker w = new LpaeWalker(pa -> {
            if ((pa & -0x1000L) == L2) {
                throw DescriptorFetchAbort.INSTANCE;
            }
            return mem.readLong(pa);
        });
        assertFalse(w.walk(s1, IOVA, AccessType.READ, false, r));
        assertEquals(LpaeFault.WALK_EABT, r.fault());
        assertEquals(2, r.level());
        assertEquals(L2 + 8, r.descriptorAddress());
    }

    @Test
    void configIsChecked() {
        assertThrows(IllegalArgumentException.class, () -> LpaeTranslationConfig.builder(LpaeStage.STAGE1,
                LpaeGranule.G4K).inputSize(39).outputSize(40).ttb(L1 + 8).build(), "misaligned table base");
        assertThrows(IllegalArgumentException.class, () -> LpaeTranslationConfig.builder(LpaeStage.STAGE1,
                LpaeGranule.G4K).inputSize(39).outputSize(52).ttb(L1).build(), "52-bit output needs 64K");
        assertThrows(IllegalArgumentException.class, () -> LpaeTranslationConfig.builder(LpaeStage.STAGE2,
                LpaeGranule.G4K).inputSize(48).startLevel(2).outputSize(48).ttb(L1).build(), "too many tables");
    }
}
