package com.example.vtd.internal.format;

import org.iommulab.modelkit.regs.Field;

/**
 * A second-level paging entry (VT-d spec §9.8, "Second-Level Paging Entries"; Linux
 * {@code struct dma_pte} and {@code DMA_PTE_*} in {@code drivers/iommu/intel/iommu.h}; QEMU
 * {@code VTD_SL_*} and {@code VTD_SPTE_*_RSVD_MASK}). Every table is 4 KiB of 512 entries;
 * levels are numbered as the spec numbers them, from the leaf up:
 *
 * <pre>
 *   level 4  SL-PML4E  IOVA [47:39]  table pointer only (PS reserved)
 *   level 3  SL-PDPE   IOVA [38:30]  table pointer, or a 1 GiB page when PS = 1
 *   level 2  SL-PDE    IOVA [29:21]  table pointer, or a 2 MiB page when PS = 1
 *   level 1  SL-PTE    IOVA [20:12]  a 4 KiB page
 *
 *   R [0]  read     W [1]  write     (R = W = 0: not present)
 *   PS [7] page size (levels 2 and 3)       SNP [11] snoop (reserved: ECAP.SC = 0)
 *   ADDR [HAW-1:12]  the next table, or the page (aligned to its size)
 *   [61:52], [63] ignored; [62] TM reserved (ECAP.DT = 0); [51:HAW] reserved
 * </pre>
 * This is not LPAE: no valid bit (presence is R|W), no table/block type bits, permissions as
 * positive R/W bits at every level rather than AP/XN, no access flag, no attribute index.
 */
public final class SlPte {
    private SlPte() {
    }

    public static final Field R = Field.bit("R", 0);
    public static final Field W = Field.bit("W", 1);
    public static final Field PS = Field.bit("PS", 7);
    public static final Field SNP = Field.bit("SNP", 11);
    /** Bits software may use and hardware ignores: QEMU's {@code VTD_SL_IGN_COM}. */
    public static final long IGNORED = 0xbff0_0000_0000_0000L;

    public static final int PTE_SIZE = 8;
    public static final int TABLE_SIZE = 4096;
    public static final int BITS_PER_LEVEL = 9;
    public static final int PAGE_SHIFT = 12;

    /** An entry is present when it grants read or write (spec §9.8). */
    public static boolean present(long pte) {
        return (pte & (R.mask() | W.mask())) != 0;
    }

    /** A present entry ends the walk at level 1, or at levels 2 and 3 with PS set. */
    public static boolean leaf(long pte, int level) {
        return level == 1 || PS.isSet(pte);
    }

    /** log2 of the bytes one entry at {@code level} covers: 12, 21, 30, 39. */
    public static int shift(int level) {
        return PAGE_SHIFT + BITS_PER_LEVEL * (level - 1);
    }

    /** The entry index {@code iova} selects at {@code level}. */
    public static int index(long iova, int level) {
        return (int) (iova >>> shift(level)) & 511;
    }

    /** Mask of the bits below 2^haw. */
    public static long hawMask(int haw) {
        return haw >= 64 ? -1L : (1L << haw) - 1;
    }

    /** The address an entry holds (next table, or page base). */
    public static long address(long pte, int haw) {
        return pte & hawMask(haw) & ~0xfffL;
    }

    /**
     * The bits that must be zero in a present entry at {@code level}: QEMU
     * {@code VTD_SPTE_PAGE_L*_RSVD_MASK} and {@code VTD_SPTE_LPAGE_L*_RSVD_MASK} without
     * device-TLB support: SNP, everything above HAW that is not ignored, PS at level 4, and
     * the address bits below a superpage's alignment.
     */
    public static long reserved(long pte, int level, int haw) {
        long common = SNP.mask() | ~(hawMask(haw) | IGNORED);
        if (level == 4) {
            return common | PS.mask();
        }
        if (level == 2 && PS.isSet(pte)) {
            return common | 0x1f_f000L;
        }
        if (level == 3 && PS.isSet(pte)) {
            return common | 0x3fff_f000L;
        }
        return common;
    }

    /**
     * A leaf at {@code level} mapping {@code paddr} with {@code read}/{@code write}, Linux
     * {@code __domain_mapping}: {@code (phys_pfn << VTD_PAGE_SHIFT) | prot}, with
     * {@code DMA_PTE_LARGE_PAGE} above level 1.
     */
    public static long leafEntry(long paddr, int level, boolean read, boolean write) {
        return paddr | (read ? R.mask() : 0) | (write ? W.mask() : 0) | (level > 1 ? PS.mask() : 0);
    }

    /**
     * A non-leaf entry pointing at {@code table}, Linux {@code pfn_to_dma_pte}:
     * {@code virt_to_phys(tmp_page) | DMA_PTE_READ | DMA_PTE_WRITE}. Both permissions, since a
     * walk ANDs them level by level.
     */
    public static long tableEntry(long table) {
        return table | R.mask() | W.mask();
    }
}
