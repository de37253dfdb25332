package org.iommulab.smmu.v2.internal.model;

import static org.iommulab.api.platform.AccessType.READ;
import static org.iommulab.api.platform.AccessType.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.iommulab.api.backend.TranslationPort;
import org.iommulab.api.iommu.IommuProt;
import org.iommulab.api.platform.DmaFault;
import org.iommulab.api.platform.FaultKind;
import org.iommulab.api.platform.FaultOrigin;
import org.iommulab.iopgtable.lpae.LpaeFormat;
import org.iommulab.iopgtable.lpae.LpaePageTable;
import org.iommulab.iopgtable.lpae.LpaeStage;
import org.iommulab.smmu.v2.internal.model.regs.Cb;
import org.iommulab.smmu.v2.internal.model.regs.Gr0;
import org.iommulab.smmu.v2.internal.model.regs.Gr1;
import org.junit.jupiter.api.Test;

/** Every FSR fault bit the model produces, provoked through a stage-1 context and read back. */
class ContextFaultTest {
    private static final int SID = 7;
    private final ModelRig rig = new ModelRig();
    private final LpaePageTable t = rig.table(LpaeStage.STAGE1, 48, 48);
    private final TranslationPort port = rig.port("dev", SID);

    ContextFaultTest() {
        rig.programS1(3, t, 3);
        rig.stream(0, SID, 3);
        rig.enable(Gr0.SCR0_USFCFG.mask());
    }

    private int fsr() {
        return rig.read(rig.cb(3, Cb.FSR));
    }

    private void clear() {
        rig.hw.write32(rig.cb(3, Cb.FSR), fsr());
    }

    @Test
    void translationFaultRecordsFsrFarFsynr0AndCbfrsynra() {
        DmaFault f = ModelRig.fault(port, SID, 0x4000_0123L, WRITE);
        assertEquals((int) Cb.FSR_TF.mask(), fsr());
        assertEquals(0x4000_0123L, rig.hw.read64(rig.cb(3, Cb.FAR)));
        int fsynr0 = rig.read(rig.cb(3, Cb.FSYNR0));
        assertEquals(1, Cb.FSYNR0_WNR.get(fsynr0));
        assertEquals(f.level(), Cb.FSYNR0_PLVL.get(fsynr0));
        assertEquals(SID, Gr1.CBFRSYNRA_SID.get(rig.read(rig.gr1(Gr1.CBFRSYNRA, 3))));
        assertEquals(FaultKind.TRANSLATION, f.kind());
        assertEquals(FaultOrigin.ACCESS, f.origin());
        assertEquals(List.of(3), rig.irq.context, "SCTLR.CFIE raises context interrupt 3");
        assertEquals((long) fsr(), f.syndrome().get("FSR"));
        assertEquals(0x4000_0123L, f.syndrome().get("FAR"));
        assertEquals((long) SID, f.syndrome().get("CBFRSYNRA"));
    }

    @Test
    void permissionFault() {
        long pa = rig.page();
        t.map(0x1000, pa, 0x1000, IommuProt.READ);
        assertEquals(pa, port.translate(SID, 0x1000, READ));
        DmaFault f = ModelRig.fault(port, SID, 0x1000, WRITE);
        assertEquals((int) Cb.FSR_PF.mask(), fsr());
        assertEquals(FaultKind.PERMISSION, f.kind());
        assertEquals(3, f.level());
    }

    @Test
    void privilegedOnlyMappingsFaultForADevicesUnprivilegedAccess() {
        t.map(0x1000, rig.page(), 0x1000, IommuProt.READ | IommuProt.PRIV);
        assertEquals(FaultKind.PERMISSION, ModelRig.fault(port, SID, 0x1000, READ).kind());
    }

    @Test
    void accessFlagFault() {
        t.map(0x2000, rig.page(), 0x1000, ModelRig.RW);
        clearAccessFlag(0x2000);
        DmaFault f = ModelRig.fault(port, SID, 0x2000, READ);
        assertEquals((int) Cb.FSR_AFF.mask(), fsr());
        assertEquals(FaultKind.ACCESS_FLAG, f.kind());
        assertEquals(FaultOrigin.MISPROGRAMMED, f.origin());
        clear();
        // SCTLR.AFFD: a clear access flag no longer faults.
        rig.hw.write32(rig.cb(3, Cb.SCTLR), rig.read(rig.cb(3, Cb.SCTLR)) | (int) Cb.SCTLR_AFFD.mask());
        assertTrue(port.translate(SID, 0x2000, READ) > 0);
    }

    @Test
    void externalFaultOnADescriptorFetchOutsideRam() {
        // TTBR0 at 0x1000: below the platform's RAM, which starts at 1 GiB.
        rig.hw.write64(rig.cb(3, Cb.TTBR0), Cb.TTBR_ASID.of(3) | 0x1000);
        DmaFault f = ModelRig.fault(port, SID, 0x3000, READ);
        assertEquals((int) Cb.FSR_EF.mask(), fsr());
        assertEquals(FaultKind.FETCH_ABORT, f.kind());
    }

    @Test
    void addressSizeFaultForAnOutputBeyondPasize() {
        long high = rig.alloc.allocPages(1, org.iommulab.api.platform.Zone.HIGH);
        t.map(0x5000, high, 0x1000, ModelRig.RW);
        rig.hw.write32(rig.cb(3, Cb.TCR2), (int) (Cb.TCR2_PASIZE.of(0) | Cb.TCR2_AS.mask())); // 32-bit PA
        DmaFault f = ModelRig.fault(port, SID, 0x5000, READ);
        assertEquals((int) Cb.FSR_ASF.mask(), fsr());
        assertEquals(FaultKind.ADDRESS_SIZE, f.kind());
    }

    @Test
    void tlbMatchConflictWhenABlockReplacesCachedPagesWithoutInvalidation() {
        long pa = rig.pages(1024);
        long blockPa = (pa + 0x1f_ffff) & ~0x1f_ffffL;
        t.map(0x20_0000, blockPa, 0x1000, ModelRig.RW);
        assertEquals(blockPa, port.translate(SID, 0x20_0000, READ)); // caches a 4K entry
        t.unmap(0x20_0000, 0x1000, null); // the emptied level-3 table goes at once (no-op flush)
        t.map(0x20_0000, blockPa, 0x20_0000, ModelRig.RW); // now a 2M block
        // A wrong invalidation: TLBIVA of another page of the region drops the walk cache
        // entry for the freed table but not the 4K leaf cached for 0x200000.
        rig.tlbiVa(3, Cb.TLBIVA, 0x3f_f000, 3);
        rig.sync(3);
        assertEquals(blockPa + 0x1000, port.translate(SID, 0x20_1000, READ)); // caches the 2M entry
        DmaFault f = ModelRig.fault(port, SID, 0x20_0000, READ);
        assertEquals((int) Cb.FSR_TLBMCF.mask(), fsr());
        assertEquals(FaultKind.TLB_CONFLICT, f.kind());
    }

    @Test
    void aSecondFaultBeforeTheFirstIsClearedSetsMultiAndKeepsTheFirstSyndrome() {
        ModelRig.fault(port, SID, 0x7000, READ);
        ModelRig.fault(port, SID, 0x8000, WRITE);
        assertEquals((int) (Cb.FSR_TF.mask() | Cb.FSR_MULTI.mask()), fsr());
        assertEquals(0x7000, rig.hw.read64(rig.cb(3, Cb.FAR)));
        assertEquals(0, Cb.FSYNR0_WNR.get(rig.read(rig.cb(3, Cb.FSYNR0))));
        clear();
        ModelRig.fault(port, SID, 0x8000, WRITE);
        assertEquals((int) Cb.FSR_TF.mask(), fsr());
        assertEquals(0x8000, rig.hw.read64(rig.cb(3, Cb.FAR)));
    }

    @Test
    void statusBitsTheTranslationNeverSetsCanBeRestoredAndCleared() {
        long bits = Cb.FSR_TLBLKF.mask() | Cb.FSR_UUT.mask() | Cb.FSR_SS.mask();
        rig.hw.write32(rig.cb(3, Cb.FSRRESTORE), (int) bits);
        assertEquals((int) bits, fsr());
        clear();
        assertEquals(0, fsr());
    }

    @Test
    void withoutCfieNoContextInterrupt() {
        rig.hw.write32(rig.cb(3, Cb.SCTLR), (int) (Cb.SCTLR_M.mask() | Cb.SCTLR_CFRE.mask()));
        ModelRig.fault(port, SID, 0x7000, READ);
        assertEquals(List.of(), rig.irq.context);
        assertEquals((int) Cb.FSR_TF.mask(), fsr());
    }

    @Test
    void aContextFormatNotModelledIsReportedApartAndRecordsNothing() {
        rig.hw.write32(rig.gr1(Gr1.CBA2R, 3), 0); // AArch32 format
        DmaFault f = ModelRig.fault(port, SID, 0x7000, READ);
        assertEquals(FaultOrigin.NOT_MODELLED, f.origin());
        assertEquals(0, fsr());
        assertEquals(1, rig.irq.notModelled.size());
        assertTrue(f.detail().contains("AArch32"), f.detail());
    }

    @Test
    void aMisprogrammedGranuleFaultsAsMisprogrammed() {
        rig.hw.write32(rig.cb(3, Cb.TCR), (int) (Cb.TCR_TG0.of(3) | Cb.TCR_T0SZ.of(16)));
        DmaFault f = ModelRig.fault(port, SID, 0x7000, READ);
        assertEquals(FaultOrigin.MISPROGRAMMED, f.origin());
        assertEquals(FaultKind.BAD_CONFIG, f.kind());
        assertEquals((int) Cb.FSR_TF.mask(), fsr());
    }

    @Test
    void anInputAddressBeyondT0szIsATranslationFault() {
        DmaFault f = ModelRig.fault(port, SID, 1L << 50, READ);
        assertEquals(FaultKind.TRANSLATION, f.kind());
        assertTrue(f.detail().contains("TxSZ"), f.detail());
    }

    /** Clears AF in the level-3 descriptor for {@code iova} (the writer always sets it). */
    private void clearAccessFlag(long iova) {
        long table = t.ttb();
        var cfg = t.config();
        for (int lvl = cfg.startLevel(); lvl < 3; lvl++) {
            long pte = rig.mem.readLong(table + 8L * cfg.index(iova, lvl));
            table = LpaeFormat.pteToPaddr(pte, cfg.granule());
        }
        long ptep = table + 8L * cfg.index(iova, 3);
        rig.mem.writeLong(ptep, rig.mem.readLong(ptep) & ~LpaeFormat.PTE_AF);
    }
}
