package org.iommulab.smmu.v2.internal.driver;

import java.util.function.IntFunction;

import org.iommulab.api.platform.DmaFault;
import org.iommulab.smmu.v2.internal.model.FaultSyndromes;
import org.iommulab.smmu.v2.internal.model.SmmuIrqLines;
import org.iommulab.smmu.v2.internal.model.regs.Cb;
import org.iommulab.smmu.v2.internal.model.regs.Gr0;
import org.iommulab.smmu.v2.internal.model.regs.Gr1;

/**
 * The driver's interrupt handlers. {@link #contextFault} is Linux's
 * {@code arm_smmu_context_fault}: read FSR (nothing pending: not ours), FSYNR0, FAR and
 * CBFRSYNRA (plus this implementation's FSYNR1 syndrome), report the fault once to the device
 * owning the stream, log "Unhandled context fault", write FSR back to clear it.
 * {@link #globalFault} is {@code arm_smmu_global_fault} with sGFSR, sGFSYNR0..2 and sGFAR.
 * Context interrupt {@code n} belongs to context bank {@code n}, as on SMMUv2 Linux requests
 * one interrupt per bank. Takes no driver lock: it runs on the faulting transaction's thread.
 */
final class FaultHandlers implements SmmuIrqLines {
    private final SmmuIo io;
    private final String backend;
    private final IntFunction<Master> masterOf;
    private final DriverLog log;
    private final boolean disableBypass;

    FaultHandlers(SmmuIo io, String backend, IntFunction<Master> masterOf, DriverLog log, boolean disableBypass) {
        this.io = io;
        this.backend = backend;
        this.masterOf = masterOf;
        this.log = log;
        this.disableBypass = disableBypass;
    }

    @Override
    public void contextFault(int idx) {
        int fsr = io.cbRead(idx, Cb.FSR);
        if ((fsr & Cb.FSR_FAULT) == 0) {
            return; // IRQ_NONE
        }
        int fsynr0 = io.cbRead(idx, Cb.FSYNR0);
        int fsynr1 = io.cbRead(idx, Cb.FSYNR1);
        long far = io.cbReadQ(idx, Cb.FAR);
        int cbfrsynra = io.gr1Read(Gr1.CBFRSYNRA, idx);
        Master m = masterOf.apply((int) Gr1.CBFRSYNRA_SID.get(cbfrsynra));
        DmaFault fault = FaultSyndromes.context(backend, m == null ? "?" : m.device.name(), idx, fsr, far, fsynr0, fsynr1,
                cbfrsynra);
        String line = String.format("Unhandled context fault: fsr=0x%x, iova=0x%08x, fsynr=0x%x, cbfrsynra=0x%x, cb=%d",
                fsr, far, fsynr0, cbfrsynra, idx);
        deliver(m, fault, line);
        io.cbWrite(idx, Cb.FSR, fsr);
    }

    @Override
    public void globalFault() {
        int gfsr = io.gr0Read(Gr0.SGFSR);
        int gfsynr0 = io.gr0Read(Gr0.SGFSYNR0);
        int gfsynr1 = io.gr0Read(Gr0.SGFSYNR1);
        int gfsynr2 = io.gr0Read(Gr0.SGFSYNR2);
        if (gfsr == 0) {
            return; // IRQ_NONE
        }
        long gfar = io.gr0ReadQ(Gr0.SGFAR);
        int sid = (int) Gr0.SGFSYNR1_STREAMID.get(gfsynr1);
        Master m = masterOf.apply(sid);
        DmaFault fault = FaultSyndromes.global(backend, m == null ? "?" : m.device.name(), gfsr, gfar, gfsynr0, gfsynr1,
                gfsynr2);
        String line;
        if (disableBypass && Gr0.SGFSR_USF.isSet(gfsr & 0xffff_ffffL)) {
            line = String.format("Blocked unknown Stream ID 0x%x; boot with \"arm-smmu.disable_bypass=0\" to allow, "
                    + "but this may have security implications", sid);
        } else {
            line = "Unexpected global fault, this could be serious";
        }
        line += String.format("; GFSR 0x%08x, GFSYNR0 0x%08x, GFSYNR1 0x%08x, GFSYNR2 0x%08x", gfsr, gfsynr0, gfsynr1,
                gfsynr2);
        deliver(m, fault, line);
        io.gr0Write(Gr0.SGFSR, gfsr);
    }

    @Override
    public void notModelled(DmaFault fault) {
        Master m = masterOf.apply(fault.streamId());
        deliver(m, fault, fault.detail());
    }

    private void deliver(Master m, DmaFault fault, String line) {
        if (m == null) {
            log.log(line + " (no probed device owns the stream)");
            return;
        }
        m.device.reportFault(fault);
        m.device.warn(line);
    }
}
