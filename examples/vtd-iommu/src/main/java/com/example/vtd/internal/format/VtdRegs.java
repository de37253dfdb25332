package com.example.vtd.internal.format;

import java.util.ArrayList;
import java.util.List;

import org.iommulab.modelkit.regs.Access;
import org.iommulab.modelkit.regs.Field;
import org.iommulab.modelkit.regs.Register;
import org.iommulab.modelkit.regs.RegisterBlock;

/**
 * The registers of one DMA-remapping unit that this model implements, declared once with the
 * model kit: offsets and bits from the Intel VT-d specification, chapter "Register
 * Descriptions" (§10.4 in revision 3.x; Linux {@code include/linux/intel-iommu.h} /
 * {@code drivers/iommu/intel/iommu.h}, QEMU {@code hw/i386/intel_iommu_internal.h} use the same
 * offsets). Both halves use it: the driver to build values, the model to decode them.
 *
 * <p>Not declared, so not modelled: the register-based invalidation interface (CCMD, and the
 * IVA/IOTLB pair at ECAP.IRO: the driver uses the invalidation queue, as Linux does whenever
 * ECAP.QI is set), protected memory regions, interrupt remapping, the page-request queue, the
 * fault-event and invalidation-event MSI data/address registers (interrupts are delivered to a
 * listener), advanced fault logging and the performance monitor.
 */
public final class VtdRegs {
    private VtdRegs() {
    }

    // §10.4.1 Version Register
    public static final Register VER = Register.r32("VER", 0x000, Access.RO, "VT-d §10.4.1 VER_REG");

    // §10.4.2 Capability Register
    public static final Field CAP_ND = Field.range("ND", 2, 0);
    public static final Field CAP_RWBF = Field.bit("RWBF", 4);
    public static final Field CAP_CM = Field.bit("CM", 7);
    public static final Field CAP_SAGAW = Field.range("SAGAW", 12, 8);
    public static final Field CAP_MGAW = Field.range("MGAW", 21, 16);
    public static final Field CAP_FRO = Field.range("FRO", 33, 24);
    public static final Field CAP_SLLPS = Field.range("SLLPS", 37, 34);
    public static final Field CAP_PSI = Field.bit("PSI", 39);
    public static final Field CAP_NFR = Field.range("NFR", 47, 40);
    public static final Field CAP_MAMV = Field.range("MAMV", 53, 48);
    public static final Register CAP = Register.r64("CAP", 0x008, Access.RO, "VT-d §10.4.2 CAP_REG")
            .fields(CAP_ND, CAP_RWBF, CAP_CM, CAP_SAGAW, CAP_MGAW, CAP_FRO, CAP_SLLPS, CAP_PSI, CAP_NFR, CAP_MAMV);
    /** SAGAW bit 1: 39-bit AGAW, 3-level table; bit 2: 48-bit AGAW, 4-level table. */
    public static final int SAGAW_39 = 1 << 1;
    public static final int SAGAW_48 = 1 << 2;
    /** SLLPS bit 0: 2 MiB pages; bit 1: 1 GiB pages. */
    public static final int SLLPS_2M = 1;
    public static final int SLLPS_1G = 2;

    // §10.4.3 Extended Capability Register
    public static final Field ECAP_C = Field.bit("C", 0);
    public static final Field ECAP_QI = Field.bit("QI", 1);
    public static final Field ECAP_DT = Field.bit("DT", 2);
    public static final Field ECAP_IR = Field.bit("IR", 3);
    public static final Field ECAP_PT = Field.bit("PT", 6);
    public static final Field ECAP_SC = Field.bit("SC", 7);
    public static final Field ECAP_IRO = Field.range("IRO", 17, 8);
    public static final Register ECAP = Register.r64("ECAP", 0x010, Access.RO, "VT-d §10.4.3 ECAP_REG")
            .fields(ECAP_C, ECAP_QI, ECAP_DT, ECAP_IR, ECAP_PT, ECAP_SC, ECAP_IRO);

    // §10.4.4 Global Command Register (write-only) and §10.4.5 Global Status Register
    public static final Field GCMD_TE = Field.bit("TE", 31);
    public static final Field GCMD_SRTP = Field.bit("SRTP", 30);
    public static final Field GCMD_QIE = Field.bit("QIE", 26);
    public static final Register GCMD = Register.r32("GCMD", 0x018, Access.WO, "VT-d §10.4.4 GCMD_REG")
            .fields(GCMD_TE, GCMD_SRTP, GCMD_QIE);
    public static final Field GSTS_TES = Field.bit("TES", 31);
    public static final Field GSTS_RTPS = Field.bit("RTPS", 30);
    public static final Field GSTS_QIES = Field.bit("QIES", 26);
    public static final Register GSTS = Register.r32("GSTS", 0x01c, Access.RO, "VT-d §10.4.5 GSTS_REG")
            .fields(GSTS_TES, GSTS_RTPS, GSTS_QIES);

    // §10.4.6 Root Table Address Register (TTM 00b: legacy root and context entries)
    public static final Field RTADDR_RTA = Field.range("RTA", 63, 12);
    public static final Field RTADDR_TTM = Field.range("TTM", 11, 10);
    public static final Register RTADDR = Register.r64("RTADDR", 0x020, Access.RW, "VT-d §10.4.6 RTADDR_REG")
            .fields(RTADDR_RTA, RTADDR_TTM);

    // §10.4.9 Fault Status Register: PFO, IQE, ICE, ITE are RW1C; PPF and FRI are read-only
    public static final Field FSTS_PFO = Field.bit("PFO", 0);
    public static final Field FSTS_PPF = Field.bit("PPF", 1);
    public static final Field FSTS_IQE = Field.bit("IQE", 4);
    public static final Field FSTS_ICE = Field.bit("ICE", 5);
    public static final Field FSTS_ITE = Field.bit("ITE", 6);
    public static final Field FSTS_FRI = Field.range("FRI", 15, 8);
    public static final Register FSTS = Register.r32("FSTS", 0x034, Access.W1C, "VT-d §10.4.9 FSTS_REG")
            .fields(FSTS_PFO, FSTS_PPF, FSTS_IQE, FSTS_ICE, FSTS_ITE, FSTS_FRI);
    /** The bits software clears by writing one. */
    public static final long FSTS_W1C = Field.maskOf(FSTS_PFO, FSTS_IQE, FSTS_ICE, FSTS_ITE);

    // §10.4.10 Fault Event Control Register: IM resets to 1 (masked), IP is read-only
    public static final Field FECTL_IM = Field.bit("IM", 31);
    public static final Field FECTL_IP = Field.bit("IP", 30);
    public static final Register FECTL = Register.r32("FECTL", 0x038, Access.RW, "VT-d §10.4.10 FECTL_REG")
            .fields(FECTL_IM, FECTL_IP).reset(FECTL_IM.mask());

    // §10.4.22-25 Invalidation Queue Head/Tail/Address, Invalidation Completion Status
    public static final Field IQH_QH = Field.range("QH", 18, 4);
    public static final Register IQH = Register.r64("IQH", 0x080, Access.RO, "VT-d §10.4.22 IQH_REG").fields(IQH_QH);
    public static final Field IQT_QT = Field.range("QT", 18, 4);
    public static final Register IQT = Register.r64("IQT", 0x088, Access.RW, "VT-d §10.4.23 IQT_REG").fields(IQT_QT);
    public static final Field IQA_IQA = Field.range("IQA", 63, 12);
    public static final Field IQA_DW = Field.bit("DW", 11);
    public static final Field IQA_QS = Field.range("QS", 2, 0);
    public static final Register IQA = Register.r64("IQA", 0x090, Access.RW, "VT-d §10.4.24 IQA_REG")
            .fields(IQA_IQA, IQA_DW, IQA_QS);
    public static final Field ICS_IWC = Field.bit("IWC", 0);
    public static final Register ICS = Register.r32("ICS", 0x09c, Access.W1C, "VT-d §10.4.25 ICS_REG").fields(ICS_IWC);

    /** Where the fault recording registers start: CAP.FRO = 0x22, i.e. offset 0x220 as in QEMU. */
    public static final int FRCD_OFFSET = 0x220;

    /** The low half of fault recording register {@code n}: FI (§10.4.14). */
    public static int frcdLo(int n) {
        return FRCD_OFFSET + 16 * n;
    }

    /** The high half of fault recording register {@code n}: SID, FR, T, F. */
    public static int frcdHi(int n) {
        return FRCD_OFFSET + 16 * n + 8;
    }

    /**
     * The register file of a unit with {@code faultRecords} fault recording registers: the
     * registers above, then FRCD0..FRCD(n-1) as 64-bit halves at 0x220 + 16n and + 8.
     */
    public static RegisterBlock block(int faultRecords) {
        if (faultRecords < 1 || faultRecords > 256) {
            throw new IllegalArgumentException("a unit has 1 to 256 fault recording registers (CAP.NFR + 1), got "
                    + faultRecords);
        }
        List<Register> regs = new ArrayList<>(List.of(VER, CAP, ECAP, GCMD, GSTS, RTADDR, FSTS, FECTL, IQH, IQT, IQA,
                ICS));
        for (int n = 0; n < faultRecords; n++) {
            regs.add(Register.r64("FRCD" + n + "_LO", frcdLo(n), Access.RO, "VT-d §10.4.14 FRCD_REG [63:0]")
                    .fields(FaultRecord.FI));
            regs.add(Register.r64("FRCD" + n + "_HI", frcdHi(n), Access.W1C, "VT-d §10.4.14 FRCD_REG [127:64]")
                    .fields(FaultRecord.SID, FaultRecord.FR, FaultRecord.T, FaultRecord.F));
        }
        return RegisterBlock.of("VT-d remapping unit", FRCD_OFFSET + 16 * faultRecords, regs);
    }

    /** VER: major 1, minor 0. */
    public static final int VERSION = 0x10;

    /**
     * The capability register of this model: {@code ndBits} encodes 2^(4+2*ND) domain IDs,
     * SAGAW 39 and 48 bits, MGAW {@code mgaw}, 2 MiB and 1 GiB second-level pages, PSI with
     * MAMV {@code mamv}, fault records at 0x220, no caching mode, no write-buffer flushing.
     */
    public static long cap(int nd, int mgaw, int faultRecords, int mamv) {
        return CAP_ND.of(nd) | CAP_SAGAW.of(SAGAW_39 | SAGAW_48) | CAP_MGAW.of(mgaw - 1)
                | CAP_FRO.of(FRCD_OFFSET / 16) | CAP_SLLPS.of(SLLPS_2M | SLLPS_1G) | CAP_PSI.mask()
                | CAP_NFR.of(faultRecords - 1) | CAP_MAMV.of(mamv);
    }

    /** Linux {@code cap_ndoms}: the number of domain IDs, 2^(4 + 2 * ND). */
    public static int ndoms(long cap) {
        return 1 << (4 + 2 * CAP_ND.getInt(cap));
    }

    /** Linux {@code cap_mgaw}: MGAW + 1. */
    public static int mgaw(long cap) {
        return CAP_MGAW.getInt(cap) + 1;
    }

    /** Linux {@code cap_num_fault_regs}: NFR + 1. */
    public static int faultRecords(long cap) {
        return CAP_NFR.getInt(cap) + 1;
    }

    /**
     * The extended capabilities: coherent table walks (C), queued invalidation (QI); no
     * device-TLB, interrupt remapping, pass-through or snoop control. IRO names where the
     * register-based IOTLB interface would be (0x100); it is not modelled.
     */
    public static long ecap() {
        return ECAP_C.mask() | ECAP_QI.mask() | ECAP_IRO.of(0x100 / 16);
    }
}
