package com.example.vtd.internal.format;

import org.iommulab.modelkit.regs.StructField;
import org.iommulab.modelkit.regs.StructLayout;

/**
 * A primary fault record (VT-d spec §10.4.14, Fault Recording Registers; QEMU
 * {@code VTD_FRCD_*}, Linux {@code dma_frcd_*}), 128 bits held as two 64-bit words, and the
 * legacy-mode fault reasons (spec §7.1.3, "Fault conditions and remapping hardware behavior";
 * QEMU {@code VTDFaultReason}; Linux {@code dma_remap_fault_reasons[]} in {@code dmar.c}).
 *
 * <pre>
 *   word 0: FI [63:12]   the page address of the faulting request
 *   word 1: SID [15:0]   source-id (bus:devfn); FR [39:32] fault reason;
 *           T [62]       1 = read request, 0 = write request; F [63] fault (RW1C)
 * </pre>
 * Not modelled: the PASID fields (PV, PP), PRIV, EXE, AT; records carry no PASID.
 */
public final class FaultRecord {
    private FaultRecord() {
    }

    public static final StructLayout LAYOUT = StructLayout.of("FRCD", 16, "VT-d §10.4.14");
    public static final StructField FI = LAYOUT.range(0, "FI", 63, 12);
    public static final StructField SID = LAYOUT.range(1, "SID", 15, 0);
    public static final StructField FR = LAYOUT.range(1, "FR", 39, 32);
    public static final StructField T = LAYOUT.bit(1, "T", 62);
    public static final StructField F = LAYOUT.bit(1, "F", 63);

    /** The high word of a record: F set, the source-id, the reason, T = 1 for a read. */
    public static long hi(int sourceId, int reason, boolean read) {
        return F.mask() | SID.of(sourceId) | FR.of(reason) | (read ? T.mask() : 0);
    }

    /** The low word: the page of the faulting address ({@code VTD_FRCD_FI}). */
    public static long lo(long addr) {
        return FI.bits(addr);
    }

    // Fault reasons, legacy (non-scalable) mode.
    public static final int ROOT_ENTRY_P = 0x1;
    public static final int CONTEXT_ENTRY_P = 0x2;
    public static final int CONTEXT_ENTRY_INV = 0x3;
    public static final int ADDR_BEYOND_MGAW = 0x4;
    public static final int WRITE = 0x5;
    public static final int READ = 0x6;
    public static final int PAGING_ENTRY_INV = 0x7;
    public static final int ROOT_TABLE_INV = 0x8;
    public static final int CONTEXT_TABLE_INV = 0x9;
    public static final int ROOT_ENTRY_RSVD = 0xa;
    public static final int CONTEXT_ENTRY_RSVD = 0xb;
    public static final int PAGING_ENTRY_RSVD = 0xc;

    private static final String[] REASONS = {
        "Software",
        "Present bit in root entry is clear",
        "Present bit in context entry is clear",
        "Invalid context entry",
        "Access beyond MGAW",
        "PTE Write access is not set",
        "PTE Read access is not set",
        "Next page table ptr is invalid",
        "Root table address invalid",
        "Context table ptr is invalid",
        "non-zero reserved fields in RTP",
        "non-zero reserved fields in CTP",
        "non-zero reserved fields in PTE",
    };

    /** Linux's words for a fault reason ({@code dmar_get_fault_reason}). */
    public static String reason(int fr) {
        return fr >= 0 && fr < REASONS.length ? REASONS[fr] : "Unknown";
    }
}
