package org.iommulab.iopgtable.lpae;

/**
 * The VMSAv8-64 long-descriptor translation table format, declared once for the writer
 * ({@link LpaePageTable}) and the walker ({@link LpaeWalker}), which share nothing else.
 *
 * <p>Sources: Arm ARM (DDI 0487) D8.3 "Translation table descriptor formats" (table, block and
 * page descriptors, stage 1 and stage 2 attribute fields, hierarchical APTable/XNTable) and
 * Linux {@code drivers/iommu/io-pgtable-arm.c} (the {@code ARM_LPAE_*} macros, whose names the
 * constants keep). Descriptors are little-endian 64-bit words.
 *
 * <p>Raw masks, not model-kit {@code Field}s: io-pgtable sits below model-kit (both depend only on
 * api), and the walker tests these bits on its hot path.
 */
public final class LpaeFormat {
    private LpaeFormat() {
    }

    /** Linux {@code ARM_LPAE_MAX_LEVELS}: levels 0 to 3. */
    public static final int MAX_LEVELS = 4;
    /** Linux {@code ARM_LPAE_MAX_ADDR_BITS}: 52-bit addresses (only with the 64 KiB granule). */
    public static final int MAX_ADDR_BITS = 52;
    /** Linux {@code ARM_LPAE_S2_MAX_CONCAT_PAGES}: a stage-2 start level may concatenate 16 tables. */
    public static final int S2_MAX_CONCAT_PAGES = 16;
    /** log2 of a descriptor's size, {@code ilog2(sizeof(arm_lpae_iopte))}. */
    public static final int PTE_SHIFT = 3;

    // ---- descriptor type, bits [1:0] (D8.3.1) ------------------------------------------------
    public static final long PTE_TYPE_MASK = 0x3;
    /** Bit 0: the descriptor is valid. */
    public static final long PTE_VALID = 1L;
    /** Block descriptor at levels 0-2. */
    public static final long PTE_TYPE_BLOCK = 1;
    /** Table descriptor at levels 0-2. */
    public static final long PTE_TYPE_TABLE = 3;
    /** Page descriptor at level 3 (type 1 there is reserved: a translation fault). */
    public static final long PTE_TYPE_PAGE = 3;

    // ---- output / next-level address (D8.3.1, Linux paddr_to_iopte) -------------------------
    /** Linux {@code ARM_LPAE_PTE_ADDR_MASK}: bits [47:12]. */
    public static final long PTE_ADDR_MASK = 0x0000_ffff_ffff_f000L;

    // ---- leaf attributes shared by both stages ---------------------------------------------
    /** Bits [9:8], shareability. */
    public static final int PTE_SH_SHIFT = 8;
    public static final long PTE_SH_NS = 0L << PTE_SH_SHIFT;
    public static final long PTE_SH_OS = 2L << PTE_SH_SHIFT;
    public static final long PTE_SH_IS = 3L << PTE_SH_SHIFT;
    /** Bit 10, the access flag. */
    public static final long PTE_AF = 1L << 10;
    /** Bits [54:53]: XN (stage 1 UXN/PXN, stage 2 XN[1:0]); Linux sets both. */
    public static final long PTE_XN = 3L << 53;
    /** Bit 51, dirty bit modifier (hardware dirty state; not set by this writer). */
    public static final long PTE_DBM = 1L << 51;

    // ---- stage-1 leaf attributes -------------------------------------------------------------
    /** Bits [4:2]: index into MAIR. */
    public static final int PTE_ATTRINDX_SHIFT = 2;
    public static final long PTE_ATTRINDX_MASK = 7L << PTE_ATTRINDX_SHIFT;
    /** Bit 5, non-secure. */
    public static final long PTE_NS = 1L << 5;
    /** AP[1], bit 6: unprivileged (EL0) access allowed. */
    public static final long PTE_AP_UNPRIV = 1L << 6;
    /** AP[2], bit 7: read-only. */
    public static final long PTE_AP_RDONLY = 1L << 7;
    /** Bit 11, not global. */
    public static final long PTE_NG = 1L << 11;

    // ---- stage-2 leaf attributes -------------------------------------------------------------
    /** S2AP[0], bit 6: reads allowed ({@code ARM_LPAE_PTE_HAP_READ}). */
    public static final long PTE_HAP_READ = 1L << 6;
    /** S2AP[1], bit 7: writes allowed ({@code ARM_LPAE_PTE_HAP_WRITE}). */
    public static final long PTE_HAP_WRITE = 2L << 6;
    /** Bits [5:2]: stage-2 MemAttr. */
    public static final int PTE_MEMATTR_SHIFT = 2;
    public static final long PTE_MEMATTR_MASK = 0xfL << PTE_MEMATTR_SHIFT;
    /** Outer and inner write-back cacheable. */
    public static final long PTE_MEMATTR_OIWB = 0xfL << PTE_MEMATTR_SHIFT;
    /** Normal non-cacheable. */
    public static final long PTE_MEMATTR_NC = 0x5L << PTE_MEMATTR_SHIFT;
    /** Device-nGnRE. */
    public static final long PTE_MEMATTR_DEV = 0x1L << PTE_MEMATTR_SHIFT;

    // ---- stage-1 table descriptor hierarchical attributes (D8.3.2) ---------------------------
    /** Bit 59, PXNTable. */
    public static final long TABLE_PXN = 1L << 59;
    /** Bit 60, UXNTable (XNTable). */
    public static final long TABLE_XN = 1L << 60;
    /** APTable[0], bit 61: no unprivileged access at later levels. */
    public static final long TABLE_AP_NO_UNPRIV = 1L << 61;
    /** APTable[1], bit 62: no write access at later levels. */
    public static final long TABLE_AP_RDONLY = 1L << 62;
    /** Bit 63, NSTable. */
    public static final long TABLE_NS = 1L << 63;

    // ---- MAIR (Linux ARM_LPAE_MAIR_ATTR_*) ---------------------------------------------------
    public static final int MAIR_ATTR_IDX_NC = 0;
    public static final int MAIR_ATTR_IDX_CACHE = 1;
    public static final int MAIR_ATTR_IDX_DEV = 2;
    public static final int MAIR_ATTR_IDX_INC_OCACHE = 3;
    public static final int MAIR_ATTR_NC = 0x44;
    public static final int MAIR_ATTR_WBRWA = 0xff;
    public static final int MAIR_ATTR_DEVICE = 0x04;
    public static final int MAIR_ATTR_INC_OWBRWA = 0xf4;
    /** The MAIR value Linux programs for its stage-1 tables (attribute n in byte n). */
    public static final long MAIR = (long) MAIR_ATTR_NC << (8 * MAIR_ATTR_IDX_NC)
            | (long) MAIR_ATTR_WBRWA << (8 * MAIR_ATTR_IDX_CACHE)
            | (long) MAIR_ATTR_DEVICE << (8 * MAIR_ATTR_IDX_DEV)
            | (long) MAIR_ATTR_INC_OWBRWA << (8 * MAIR_ATTR_IDX_INC_OCACHE);

    // ---- helpers ------------------------------------------------------------------------------

    /** Linux {@code iopte_type}. */
    public static long type(long pte) {
        return pte & PTE_TYPE_MASK;
    }

    /** Linux {@code iopte_leaf}: a page at level 3, a block above it. */
    public static boolean isLeaf(long pte, int level) {
        if (level == MAX_LEVELS - 1) {
            return type(pte) == PTE_TYPE_PAGE;
        }
        return type(pte) == PTE_TYPE_BLOCK;
    }

    /** Linux {@code iopte_table}: a valid table descriptor (never at level 3). */
    public static boolean isTable(long pte, int level) {
        return level < MAX_LEVELS - 1 && type(pte) == PTE_TYPE_TABLE;
    }

    /**
     * Linux {@code paddr_to_iopte}: the address field of a descriptor. With the 64 KiB granule
     * and 52-bit addresses, PA[51:48] live in bits [15:12] ("of the bits which overlap, either
     * 51:48 or 15:12 are always RES0").
     */
    public static long paddrToPte(long paddr, LpaeGranule granule) {
        if (granule != LpaeGranule.G64K) {
            return paddr & PTE_ADDR_MASK;
        }
        return (paddr | (paddr >>> (48 - 12))) & PTE_ADDR_MASK;
    }

    /** Linux {@code iopte_to_paddr}: the inverse of {@link #paddrToPte}. */
    public static long pteToPaddr(long pte, LpaeGranule granule) {
        long paddr = pte & PTE_ADDR_MASK;
        if (granule != LpaeGranule.G64K) {
            return paddr;
        }
        return (paddr | (paddr << (48 - 12))) & (PTE_ADDR_MASK << 4);
    }

    /**
     * Level-{@code level} shift for a granule, Linux {@code ARM_LPAE_LVL_SHIFT}: the input bits
     * below it are the offset inside a level-{@code level} block.
     */
    public static int levelShift(int level, LpaeGranule granule) {
        return (MAX_LEVELS - level) * granule.bitsPerLevel() + PTE_SHIFT;
    }

    /**
     * Whether a block descriptor is allowed at {@code level} (D8.3.1): 4 KiB at levels 1 and 2,
     * 16 KiB at level 2, 64 KiB at level 2 and, with 52-bit output addresses, level 1. Blocks
     * elsewhere (FEAT_LPA2 aside, not modelled) are translation faults.
     */
    public static boolean blockAllowed(int level, LpaeGranule granule, int outputBits) {
        switch (granule) {
            case G4K:
                return level == 1 || level == 2;
            case G16K:
                return level == 2;
            case G64K:
                return level == 2 || level == 1 && outputBits > 48;
            default:
                return false;
        }
    }

    /** True for the output (and IPA) sizes the TCR.IPS / VTCR.PS fields can encode. */
    public static boolean isEncodableAddressSize(int bits) {
        switch (bits) {
            case 32: case 36: case 40: case 42: case 44: case 48: case 52:
                return true;
            default:
                return false;
        }
    }
}
