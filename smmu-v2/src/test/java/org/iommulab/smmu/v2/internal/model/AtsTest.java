package org.iommulab.smmu.v2.internal.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.iommulab.api.iommu.IommuProt;
import org.iommulab.iopgtable.lpae.LpaePageTable;
import org.iommulab.iopgtable.lpae.LpaeStage;
import org.iommulab.smmu.v2.internal.model.regs.Cb;
import org.iommulab.smmu.v2.internal.model.regs.Gr0;
import org.junit.jupiter.api.Test;

/** ATS1PR/ATS1PW fill PAR and leave the fault registers alone. */
class AtsTest {
    private final ModelRig rig = new ModelRig();
    private final LpaePageTable t = rig.table(LpaeStage.STAGE1, 48, 48);

    AtsTest() {
        rig.programS1(2, t, 2);
        rig.enable(Gr0.SCR0_USFCFG.mask());
    }

    @Test
    void aTranslationFillsParWithThePhysicalPage() {
        long pa = rig.page();
        t.map(0x7000, pa, 0x1000, ModelRig.RW);
        rig.hw.write64(rig.cb(2, Cb.ATS1PR), 0x7000);
        assertEquals(0, rig.read(rig.cb(2, Cb.ATSR)) & 1);
        long par = rig.hw.read64(rig.cb(2, Cb.PAR));
        assertEquals(0, Cb.PAR_F.get(par));
        assertEquals(pa, Cb.PAR_PA.get(par) << 12);
        assertEquals(0, rig.hw.stats(2).tlbEntries(), "this model's ATS bypasses the TLB");
    }

    @Test
    void aFaultSetsParFWithTheCauseAndLeavesFsrClear() {
        rig.hw.write64(rig.cb(2, Cb.ATS1PR), 0x9000);
        long par = rig.hw.read64(rig.cb(2, Cb.PAR));
        assertEquals(1, Cb.PAR_F.get(par));
        assertEquals(Cb.FSR_TF.mask(), par & Cb.PAR_FAULT_CAUSE.mask());
        assertEquals(0, rig.read(rig.cb(2, Cb.FSR)));
        assertEquals(0, rig.irq.context.size());
    }

    @Test
    void aPrivilegedWriteToAReadOnlyPageIsAPermissionCause() {
        t.map(0x7000, rig.page(), 0x1000, IommuProt.READ);
        rig.hw.write64(rig.cb(2, Cb.ATS1PW), 0x7000);
        long par = rig.hw.read64(rig.cb(2, Cb.PAR));
        assertEquals(1, Cb.PAR_F.get(par));
        assertEquals(Cb.FSR_PF.mask(), par & Cb.PAR_FAULT_CAUSE.mask());
        assertEquals(3, Cb.PAR_PLVL.get(par));
    }
}
