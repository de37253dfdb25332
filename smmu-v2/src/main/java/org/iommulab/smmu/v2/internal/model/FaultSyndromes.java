package org.iommulab.smmu.v2.internal.model;

import java.util.List;

import org.iommulab.api.platform.AccessType;
import org.iommulab.api.platform.DmaFault;
import org.iommulab.api.platform.FaultKind;
import org.iommulab.api.platform.FaultOrigin;
import org.iommulab.modelkit.regs.Field;
import org.iommulab.smmu.v2.internal.model.regs.Cb;
import org.iommulab.smmu.v2.internal.model.regs.Gr0;
import org.iommulab.smmu.v2.internal.model.regs.Gr1;

/**
 * Turns fault-register values into a {@link DmaFault}: the format both halves share. The
 * driver's fault handlers call it with what they read from the registers; the model calls it
 * with what it has just recorded, for the abort it returns to the device. The same values give
 * the same fault.
 */
public final class FaultSyndromes {
    private FaultSyndromes() {
    }

    /** A context fault from CB_FSR, CB_FAR, CB_FSYNR0/1 and GR1 CBFRSYNRA of bank {@code cb}. */
    public static DmaFault context(String backend, String device, int cb, int fsr, long far, int fsynr0, int fsynr1,
            int cbfrsynra) {
        FaultReason reason = FaultReason.ofSyndrome(fsynr1);
        FaultKind kind = reason != null && !reason.global() ? reason.kind() : kindOf(fsr);
        FaultOrigin origin = reason != null && !reason.global() ? reason.origin() : FaultOrigin.ACCESS;
        boolean write = Cb.FSYNR0_WNR.isSet(fsynr0);
        int sid = (int) Gr1.CBFRSYNRA_SID.get(cbfrsynra);
        String why = reason != null ? reason.text() : "fault status restored by software";
        return DmaFault.builder(kind).device(device, sid).address(far, write ? AccessType.WRITE : AccessType.READ)
                .origin(origin).level((int) Cb.FSYNR0_PLVL.get(fsynr0)).backend(backend)
                .detail(String.format("context bank %d FSR [%s]: %s", cb, names(fsr), why))
                .syndrome("CB", cb).syndrome("FSR", fsr & 0xffff_ffffL).syndrome("FAR", far)
                .syndrome("FSYNR0", fsynr0 & 0xffff_ffffL).syndrome("FSYNR1", fsynr1 & 0xffff_ffffL)
                .syndrome("CBFRSYNRA", cbfrsynra & 0xffff_ffffL).build();
    }

    /** A global fault from sGFSR, sGFAR and sGFSYNR0..2. */
    public static DmaFault global(String backend, String device, int sgfsr, long sgfar, int sgfsynr0, int sgfsynr1,
            int sgfsynr2) {
        FaultReason reason = FaultReason.ofSyndrome(sgfsynr2);
        FaultKind kind = reason != null && reason.global() ? reason.kind() : globalKindOf(sgfsr);
        FaultOrigin origin = reason != null && reason.global() ? reason.origin() : FaultOrigin.ACCESS;
        boolean write = Gr0.SGFSYNR0_WNR.isSet(sgfsynr0);
        int sid = (int) Gr0.SGFSYNR1_STREAMID.get(sgfsynr1);
        String why = reason != null ? reason.text() : "global fault status restored by software";
        return DmaFault.builder(kind).device(device, sid).address(sgfar, write ? AccessType.WRITE : AccessType.READ)
                .origin(origin).backend(backend).detail(String.format("sGFSR [%s]: %s", globalNames(sgfsr), why))
                .syndrome("sGFSR", sgfsr & 0xffff_ffffL).syndrome("sGFAR", sgfar)
                .syndrome("sGFSYNR0", sgfsynr0 & 0xffff_ffffL).syndrome("sGFSYNR1", sgfsynr1 & 0xffff_ffffL)
                .syndrome("sGFSYNR2", sgfsynr2 & 0xffff_ffffL).build();
    }

    /** A fault for a configuration this model does not implement: no register records it. */
    public static DmaFault notModelled(String backend, String device, int sid, long address, AccessType access,
            String detail) {
        return DmaFault.builder(FaultKind.BAD_CONFIG).device(device, sid).address(address, access)
                .origin(FaultOrigin.NOT_MODELLED).backend(backend).detail("not modelled: " + detail).build();
    }

    /** {@code f} with {@code note} appended to its detail. */
    public static DmaFault withNote(DmaFault f, String note) {
        DmaFault.Builder b = DmaFault.builder(f.kind()).device(f.device(), f.streamId())
                .address(f.address(), f.access()).origin(f.origin()).level(f.level()).backend(f.backend())
                .detail(f.detail() + "; " + note);
        f.syndrome().forEach(b::syndrome);
        return b.build();
    }

    private static FaultKind kindOf(long fsr) {
        if (Cb.FSR_TLBMCF.isSet(fsr)) {
            return FaultKind.TLB_CONFLICT;
        }
        if (Cb.FSR_EF.isSet(fsr)) {
            return FaultKind.FETCH_ABORT;
        }
        if (Cb.FSR_ASF.isSet(fsr)) {
            return FaultKind.ADDRESS_SIZE;
        }
        if (Cb.FSR_AFF.isSet(fsr)) {
            return FaultKind.ACCESS_FLAG;
        }
        if (Cb.FSR_PF.isSet(fsr)) {
            return FaultKind.PERMISSION;
        }
        return FaultKind.TRANSLATION;
    }

    private static FaultKind globalKindOf(long sgfsr) {
        if (Gr0.SGFSR_USF.isSet(sgfsr)) {
            return FaultKind.UNIDENTIFIED_STREAM;
        }
        if (Gr0.SGFSR_SMCF.isSet(sgfsr)) {
            return FaultKind.STREAM_MATCH_CONFLICT;
        }
        return FaultKind.BAD_CONFIG;
    }

    /** The names of the set bits, as Linux's {@code arm_smmu_print_context_fault_info} lists them. */
    public static String names(long fsr) {
        return join(fsr, Cb.FSR.fields());
    }

    public static String globalNames(long sgfsr) {
        return join(sgfsr, Gr0.SGFSR.fields());
    }

    private static String join(long v, List<Field> bits) {
        StringBuilder b = new StringBuilder();
        for (Field f : bits) {
            if (f.isSet(v & 0xffff_ffffL)) {
                b.append(b.length() == 0 ? "" : " ").append(f.name());
            }
        }
        return b.toString();
    }
}
