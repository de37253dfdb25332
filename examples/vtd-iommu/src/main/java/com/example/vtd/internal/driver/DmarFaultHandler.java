package com.example.vtd.internal.driver;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

import org.iommulab.api.backend.DmaDevice;
import org.iommulab.api.platform.AccessType;
import org.iommulab.api.platform.DmaFault;
import org.iommulab.api.platform.FaultKind;

import com.example.vtd.internal.Seed;
import com.example.vtd.internal.format.FaultRecord;
import com.example.vtd.internal.format.SourceId;
import com.example.vtd.internal.format.VtdRegs;
import com.example.vtd.internal.model.VtdUnit;

/**
 * The unit's fault interrupt handler, Linux {@code dmar_fault} and {@code dmar_fault_do_one}
 * ({@code drivers/iommu/intel/dmar.c}): reads FSTS; from FRI on, takes each record with F set
 * (reason, source-id, type, address), clears its F bit, and prints it as Linux does:
 *
 * <pre>
 *   DMAR: [DMA Write NO_PASID] Request device [00:07.0] fault addr 0x10000 [fault reason 0x05] PTE Write access is not set
 * </pre>
 * to the requesting device's log ({@code DmaDevice#warn}), then clears PFO. Invalidation-queue
 * errors are only printed ("DRHD: handling fault status reg"), as {@code qi_check_fault}
 * handles them. The platform already has the fault: the hardware reported it when it recorded it.
 * Thread-safe (Linux holds {@code iommu->register_lock}).
 */
final class DmarFaultHandler implements VtdUnit.Irq {
    private static final int LOG_SIZE = 64;

    private final String who;
    private final VtdUnit hw;
    private final int records;
    private final IntFunction<DmaDevice> devices;
    private final Seed seed;
    private final ArrayDeque<String> log = new ArrayDeque<>();

    /**
     * @param devices the device behind a stream ID, or null
     */
    DmarFaultHandler(String who, VtdUnit hw, IntFunction<DmaDevice> devices, Seed seed) {
        this.who = who;
        this.hw = hw;
        this.records = VtdRegs.faultRecords(hw.readReg(VtdRegs.CAP.offset()));
        this.devices = devices;
        this.seed = seed;
    }

    @Override
    public synchronized void fire() {
        long fsts = hw.readReg(VtdRegs.FSTS.offset());
        if ((fsts & (VtdRegs.FSTS_IQE.mask() | VtdRegs.FSTS_ICE.mask() | VtdRegs.FSTS_ITE.mask())) != 0) {
            print(null, String.format("DMAR: DRHD: handling fault status reg %x", fsts));
        }
        if (VtdRegs.FSTS_PPF.isSet(fsts)) {
            int index = VtdRegs.FSTS_FRI.getInt(fsts);
            for (int n = 0; n < records; n++) {
                long hi = hw.readReg(VtdRegs.frcdHi(index));
                if (!FaultRecord.F.isSet(hi)) {
                    break;
                }
                long lo = hw.readReg(VtdRegs.frcdLo(index));
                // Clear the fault first, as dmar_fault does, so the next one can be recorded.
                hw.writeReg(VtdRegs.frcdHi(index), FaultRecord.F.mask());
                doOne(FaultRecord.SID.getInt(hi), FaultRecord.FR.getInt(hi), FaultRecord.T.isSet(hi),
                        FaultRecord.FI.bits(lo));
                index = (index + 1) % records;
            }
        }
        hw.writeReg(VtdRegs.FSTS.offset(), VtdRegs.FSTS_PFO.mask() | VtdRegs.FSTS_PPF.mask());
    }

    /** {@code dmar_fault_do_one} for a DMA-remapping fault (no PASID). */
    private void doOne(int sourceId, int reason, boolean read, long addr) {
        int streamId = SourceId.streamId(hw.segment(), sourceId);
        DmaDevice dev = devices.apply(streamId);
        print(dev, String.format("DMAR: [%s NO_PASID] Request device [%s] fault addr 0x%x [fault reason 0x%02x] %s",
                read ? "DMA Read" : "DMA Write", SourceId.bdf(sourceId), addr, reason, FaultRecord.reason(reason)));
        if (seed == Seed.FAULT_TWICE && dev != null) {
            // Seeded: the handler reports what the hardware already reported when it recorded it.
            dev.reportFault(DmaFault.builder(reason == FaultRecord.READ || reason == FaultRecord.WRITE
                    ? FaultKind.PERMISSION : FaultKind.BAD_CONFIG).device(dev.name(), streamId)
                    .address(addr, read ? AccessType.READ : AccessType.WRITE).backend(who)
                    .detail("fault reason " + reason + " from the fault interrupt").syndrome("FR", reason).build());
        }
    }

    private void print(DmaDevice dev, String message) {
        if (log.size() == LOG_SIZE) {
            log.removeFirst();
        }
        log.addLast(message);
        if (dev != null) {
            dev.warn(message);
        }
    }

    /** The last messages printed, oldest first. */
    synchronized List<String> messages() {
        return new ArrayList<>(log);
    }
}
