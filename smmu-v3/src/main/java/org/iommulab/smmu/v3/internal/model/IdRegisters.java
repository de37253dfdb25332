package org.iommulab.smmu.v3.internal.model;

import org.iommulab.smmu.v3.internal.format.CdFormat;
import org.iommulab.smmu.v3.internal.format.RegFields.Aidr;
import org.iommulab.smmu.v3.internal.format.RegFields.Idr0;
import org.iommulab.smmu.v3.internal.format.RegFields.Idr1;
import org.iommulab.smmu.v3.internal.format.RegFields.Idr3;
import org.iommulab.smmu.v3.internal.format.RegFields.Idr5;

/**
 * The ID registers of one SMMUv3 instance, built from its {@link SmmuV3Features} as QEMU's
 * {@code smmuv3_init_id_regs} builds them: AArch64 little-endian tables only, coherent, 16-bit
 * ASIDs and VMIDs, no stall (STALL_MODEL = 1), terminate-as-abort (TERM_MODEL = 1), 2-level
 * stream tables, MSI and SEV for CMD_SYNC completion, HAD, and the configured stages, sizes,
 * granules, RIL and ATS. Constant after reset (IHI0070 §6.2). Immutable.
 */
final class IdRegisters {
    final int idr0;
    final int idr1;
    final int idr2;
    final int idr3;
    final int idr4;
    final int idr5;
    final int iidr;
    final int aidr;

    IdRegisters(SmmuV3Features f) {
        long v = 0;
        v = Idr0.S2P.set(v, f.stage2());
        v = Idr0.S1P.set(v, f.stage1());
        v = Idr0.TTF.set(v, Idr0.TTF_AARCH64);
        v = Idr0.COHACC.set(v, true);
        v = Idr0.ATS.set(v, f.ats());
        v = Idr0.ASID16.set(v, true);
        v = Idr0.MSI.set(v, true);
        v = Idr0.SEV.set(v, true);
        v = Idr0.VMID16.set(v, f.stage2());
        v = Idr0.TTENDIAN.set(v, Idr0.TTENDIAN_LE);
        v = Idr0.STALL_MODEL.set(v, Idr0.STALL_MODEL_NO_STALL);
        v = Idr0.TERM_MODEL.set(v, true);
        v = Idr0.ST_LEVEL.set(v, Idr0.ST_LEVEL_2LVL);
        idr0 = (int) v;

        v = 0;
        v = Idr1.SIDSIZE.set(v, f.sidBits());
        v = Idr1.SSIDSIZE.set(v, f.ssidBits());
        v = Idr1.EVENTQS.set(v, f.evtqLog2());
        v = Idr1.CMDQS.set(v, f.cmdqLog2());
        idr1 = (int) v;

        idr2 = 0;
        v = 0;
        v = Idr3.HAD.set(v, true);
        v = Idr3.RIL.set(v, f.ril());
        idr3 = (int) v;
        idr4 = 0;

        v = 0;
        v = Idr5.OAS.set(v, CdFormat.addressEncoding(f.oasBits()));
        v = Idr5.GRAN4K.set(v, f.gran4k());
        v = Idr5.GRAN16K.set(v, f.gran16k());
        v = Idr5.GRAN64K.set(v, f.gran64k());
        idr5 = (int) v;

        iidr = 0;
        // SMMUv3.2: range invalidation (IDR3.RIL) is a v3.2 feature, so say so (QEMU reports 3.1).
        aidr = (int) (Aidr.ARCH_MAJOR_REV.of(0) | Aidr.ARCH_MINOR_REV.of(2));
    }
}
