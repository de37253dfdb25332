package org.iommulab.smmu.v2.internal.driver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.iommulab.api.iommu.IommuErrno;
import org.iommulab.platform.internal.memory.SparsePhysicalMemory;
import org.iommulab.smmu.v2.internal.model.SmmuV2Model;
import org.iommulab.smmu.v2.internal.model.SmmuV2Params;
import org.iommulab.smmu.v2.internal.model.regs.Gr0;
import org.junit.jupiter.api.Test;

/** arm_smmu_find_sme and the allocation around it. */
class StreamMapTableTest {
    private final SmmuV2Model hw = new SmmuV2Model(SmmuV2Params.mmu500().withCounts(4, 2).withTiming(4096, 16, 0),
            SparsePhysicalMemory.defaultLayout(), "smmu-v2");
    private final StreamMapTable t = new StreamMapTable(new SmmuIo(hw), 4, true);

    private int smr(int i) {
        return hw.read32(Gr0.SMR.offset(i));
    }

    @Test
    void entriesAreClaimedFirstFreeFirstAndWrittenToTheHardware() {
        assertArrayEquals(new int[] {0, 1}, t.allocate("a", new int[] {0x10, 0x20}, 0));
        assertEquals(0x10, Gr0.SMR_ID.get(smr(0)));
        assertEquals(1, Gr0.SMR_VALID.get(smr(1)));
        assertEquals(Gr0.S2CR_TYPE_FAULT, Gr0.S2CR_TYPE.get(hw.read32(Gr0.S2CR.offset(0))));
    }

    @Test
    void anEntryThatEntirelyCoversANewOneIsReused() {
        t.allocate("a", new int[] {0x10}, 0x3);
        assertEquals(0, t.findSme(0x12, 0x1));
        assertEquals(0, t.findSme(0x13, 0));
    }

    @Test
    void aPartialOverlapIsRefusedBecauseSomeStreamWouldMatchTwice() {
        t.allocate("a", new int[] {0x10}, 0x1); // 0x10, 0x11
        assertEquals(IommuErrno.EINVAL, t.findSme(0x11, 0x2)); // 0x11, 0x13
        assertEquals(1, t.findSme(0x12, 0x0));
    }

    @Test
    void noFreeEntryIsEnospc() {
        t.allocate("a", new int[] {1, 2, 3, 4}, 0);
        assertEquals(IommuErrno.ENOSPC, t.findSme(5, 0));
    }

    @Test
    void aFailedAllocationClaimsNothing() {
        t.allocate("a", new int[] {0x10}, 0x1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> t.allocate("b", new int[] {0x20, 0x11}, 0));
        assertTrue(e.getMessage().contains("0x11"), e.getMessage());
        assertFalse(t.valid(1), "0x20's entry was given back");
        assertEquals(0, Gr0.SMR_VALID.get(smr(1)));
    }

    @Test
    void anotherDevicesEntryIsNotShared() {
        t.allocate("a", new int[] {0x10}, 0x3);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> t.allocate("b", new int[] {0x12}, 0))
                .getMessage().contains("already matches it for a"));
    }

    @Test
    void freeingTheLastUserInvalidatesTheEntry() {
        int[] idx = t.allocate("a", new int[] {0x10, 0x11}, 0);
        t.setType(idx, Gr0.S2CR_TYPE_TRANS, 1);
        t.free(idx);
        assertEquals(0, Gr0.SMR_VALID.get(smr(0)));
        assertEquals(Gr0.S2CR_TYPE_FAULT, Gr0.S2CR_TYPE.get(hw.read32(Gr0.S2CR.offset(0))));
    }
}
