package com.example.vtd.internal.format;

import org.iommulab.modelkit.regs.Field;
import org.iommulab.modelkit.regs.StructField;
import org.iommulab.modelkit.regs.StructLayout;

/**
 * A legacy-mode context entry (VT-d spec §9.3, "Context Entry"): 256 of them, one per devfn,
 * fill a 4 KiB context table; entry {@code devfn} is at {@code CTP + 16 * devfn}.
 *
 * <pre>
 *   word 0: P [0]            present
 *           FPD [1]          fault processing disable: faults are not recorded
 *           TT [3:2]         translation type: 00b second-level tables, 01b device-TLB,
 *                            10b pass-through (the last two need ECAP.DT / ECAP.PT)
 *           [11:4]           reserved
 *           SLPTPTR [63:12]  second-level page-table pointer
 *   word 1: AW [2:0]         adjusted guest address width: 1 = 39 bits (3-level),
 *                            2 = 48 bits (4-level), 3 = 57 bits (5-level); must be in SAGAW
 *           AVAIL [6:3]      ignored
 *           [7]              reserved
 *           DID [23:8]       domain identifier: tags the IOTLB
 *           [63:24]          reserved
 * </pre>
 * Linux {@code struct context_entry} with {@code context_set_*}; QEMU
 * {@code VTD_CONTEXT_ENTRY_*} (reserved masks {@code 0xff0 | ~HAW} and
 * {@code 0xffffffffff000080}).
 */
public final class ContextEntry {
    private ContextEntry() {
    }

    public static final int SIZE = 16;
    public static final int ENTRIES = 256;

    public static final StructLayout LAYOUT = StructLayout.of("ContextEntry", SIZE, "VT-d §9.3");
    public static final StructField P = LAYOUT.bit(0, "P", 0);
    public static final StructField FPD = LAYOUT.bit(0, "FPD", 1);
    public static final StructField TT = LAYOUT.range(0, "TT", 3, 2);
    public static final StructField RSVD_LO = LAYOUT.range(0, "RSVD", 11, 4);
    public static final StructField SLPTPTR = LAYOUT.range(0, "SLPTPTR", 63, 12);
    public static final StructField AW = LAYOUT.range(1, "AW", 2, 0);
    public static final StructField AVAIL = LAYOUT.range(1, "AVAIL", 6, 3);
    public static final StructField DID = LAYOUT.range(1, "DID", 23, 8);
    /** Word 1 bits that must be zero: 7 and 63:24. */
    public static final long RSVD_HI = 0xffff_ffff_ff00_0080L;

    /** TT 00b: untranslated requests walk the second-level tables. */
    public static final int TT_MULTI_LEVEL = 0;
    public static final int TT_DEV_IOTLB = 1;
    public static final int TT_PASS_THROUGH = 2;

    /** AW encodings and the table depth and input width they select. */
    public static final int AW_39 = 1;
    public static final int AW_48 = 2;

    /** Address of {@code devfn}'s context entry in the table at {@code ctp}. */
    public static long address(long ctp, int devfn) {
        return ctp + (long) SIZE * devfn;
    }

    /**
     * Word 0 of a present, translating entry, Linux {@code domain_context_mapping_one}:
     * {@code context_set_address_root}, {@code context_set_translation_type(MULTI_LEVEL)},
     * {@code context_set_fault_enable} (FPD = 0), {@code context_set_present}.
     */
    public static long lo(long slptptr, boolean fpd) {
        return SLPTPTR.bits(slptptr) | TT.of(TT_MULTI_LEVEL) | (fpd ? FPD.mask() : 0) | P.mask();
    }

    /** Word 1: {@code context_set_address_width}, {@code context_set_domain_id}. */
    public static long hi(int aw, int did) {
        return AW.of(aw) | DID.of(did);
    }

    /** Bits that must be zero in word 0 of a present entry for host address width {@code haw}. */
    public static long reservedLo(int haw) {
        return RSVD_LO.mask() | ~Field.range("HAW", haw - 1, 0).mask();
    }

    /** Input address bits of AW {@code aw}: 30 + 9 * aw (39, 48, 57). */
    public static int addressBits(int aw) {
        return 30 + 9 * aw;
    }

    /** Table levels of AW {@code aw}: aw + 2. */
    public static int levels(int aw) {
        return aw + 2;
    }

    /** The SAGAW bit of AW {@code aw} ({@code cap_sagaw} bit n supports AW n). */
    public static int sagawBit(int aw) {
        return 1 << aw;
    }
}
