package org.iommulab.smmu.v3.internal.driver;

import org.iommulab.iopgtable.lpae.LpaeGranule;
import org.iommulab.smmu.v3.internal.format.CdFormat;
import org.iommulab.smmu.v3.internal.format.RegFields.Idr0;
import org.iommulab.smmu.v3.internal.format.RegFields.Idr1;
import org.iommulab.smmu.v3.internal.format.RegFields.Idr3;
import org.iommulab.smmu.v3.internal.format.RegFields.Idr5;
import org.iommulab.smmu.v3.internal.format.Regs;
import org.iommulab.smmu.v3.internal.model.SmmuV3Mmio;

/**
 * What the driver learns from the ID registers, Linux {@code arm_smmu_device_hw_probe}. Refuses
 * what Linux refuses: no AArch64 table format, no translation stage, preset tables or queues
 * (an embedded implementation), a command queue of 64 entries or fewer. Immutable.
 */
final class HwInfo {
    final boolean s1;
    final boolean s2;
    final boolean twoLevelStrtab;
    final boolean msi;
    final boolean sev;
    final boolean coherent;
    final boolean hyp;
    final boolean ats;
    final boolean ril;
    final int asidBits;
    final int vmidBits;
    final int sidBits;
    final int ssidBits;
    final int cmdqLog2;
    final int evtqLog2;
    final int oas;
    final long pgsizeBitmap;

    HwInfo(SmmuV3Mmio mmio) {
        long idr0 = mmio.read32(Regs.IDR0.offset()) & 0xffff_ffffL;
        long idr1 = mmio.read32(Regs.IDR1.offset()) & 0xffff_ffffL;
        long idr3 = mmio.read32(Regs.IDR3.offset()) & 0xffff_ffffL;
        long idr5 = mmio.read32(Regs.IDR5.offset()) & 0xffff_ffffL;
        s1 = Idr0.S1P.isSet(idr0);
        s2 = Idr0.S2P.isSet(idr0);
        if (!s1 && !s2) {
            throw new IllegalStateException("no translation support!");
        }
        int ttf = Idr0.TTF.getInt(idr0);
        if ((ttf & Idr0.TTF_AARCH64) == 0) {
            throw new IllegalStateException("AArch64 table format not supported!");
        }
        twoLevelStrtab = Idr0.ST_LEVEL.getInt(idr0) == Idr0.ST_LEVEL_2LVL;
        msi = Idr0.MSI.isSet(idr0);
        sev = Idr0.SEV.isSet(idr0);
        coherent = Idr0.COHACC.isSet(idr0);
        hyp = Idr0.HYP.isSet(idr0);
        ats = Idr0.ATS.isSet(idr0);
        asidBits = Idr0.ASID16.isSet(idr0) ? 16 : 8;
        vmidBits = Idr0.VMID16.isSet(idr0) ? 16 : 8;
        if (Idr1.TABLES_PRESET.isSet(idr1) || Idr1.QUEUES_PRESET.isSet(idr1) || Idr1.REL.isSet(idr1)) {
            throw new IllegalStateException("embedded implementation not supported");
        }
        cmdqLog2 = Idr1.CMDQS.getInt(idr1);
        if (cmdqLog2 <= 6) {
            throw new IllegalStateException("command queue size <= " + CommandQueue.BATCH_ENTRIES + " entries not supported");
        }
        evtqLog2 = Idr1.EVENTQS.getInt(idr1);
        sidBits = Idr1.SIDSIZE.getInt(idr1);
        ssidBits = Idr1.SSIDSIZE.getInt(idr1);
        ril = Idr3.RIL.isSet(idr3);
        int bits = CdFormat.addressBits(Idr5.OAS.getInt(idr5));
        oas = bits < 0 ? 48 : Math.min(bits, 48);
        long pg = 0;
        if (Idr5.GRAN4K.isSet(idr5)) {
            pg |= LpaeGranule.G4K.pageSizes(oas);
        }
        if (Idr5.GRAN16K.isSet(idr5)) {
            pg |= LpaeGranule.G16K.pageSizes(oas);
        }
        if (Idr5.GRAN64K.isSet(idr5)) {
            pg |= LpaeGranule.G64K.pageSizes(oas);
        }
        pgsizeBitmap = pg;
    }

    boolean granule(LpaeGranule g) {
        return (pgsizeBitmap & g.size()) != 0;
    }

    @Override
    public String toString() {
        return String.format("SMMUv3%s%s sid %d ssid %d cmdq 2^%d evtq 2^%d oas %d pgsize 0x%x%s%s", s1 ? " S1" : "",
                s2 ? " S2" : "", sidBits, ssidBits, cmdqLog2, evtqLog2, oas, pgsizeBitmap, ril ? " RIL" : "",
                msi ? " MSI" : "");
    }
}
