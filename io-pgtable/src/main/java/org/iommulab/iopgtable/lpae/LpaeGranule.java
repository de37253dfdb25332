package org.iommulab.iopgtable.lpae;

/**
 * The VMSAv8-64 translation granules (Arm ARM D8.2), with the page sizes Linux allows for each
 * ({@code arm_lpae_restrict_pgsizes}): 4 KiB with 2 MiB and 1 GiB blocks, 16 KiB with 32 MiB
 * blocks, 64 KiB with 512 MiB blocks (and 4 TiB with 52-bit output addresses).
 */
public enum LpaeGranule {
    G4K(12),
    G16K(14),
    G64K(16);

    private final int shift;

    LpaeGranule(int shift) {
        this.shift = shift;
    }

    /** log2 of the granule size. */
    public int shift() {
        return shift;
    }

    public long size() {
        return 1L << shift;
    }

    /** Index bits a table resolves, Linux {@code bits_per_level}: 9, 11 or 13. */
    public int bitsPerLevel() {
        return shift - LpaeFormat.PTE_SHIFT;
    }

    /** Descriptors in one granule-sized table. */
    public int ptesPerTable() {
        return 1 << bitsPerLevel();
    }

    /** The page and block sizes Linux maps with for this granule, one bit per size. */
    public long pageSizes(int outputBits) {
        switch (this) {
            case G4K:
                return (1L << 12) | (1L << 21) | (1L << 30);
            case G16K:
                return (1L << 14) | (1L << 25);
            default:
                return (1L << 16) | (1L << 29) | (outputBits > 48 ? 1L << 42 : 0);
        }
    }

    /** The granule of this size in bytes, or null. */
    public static LpaeGranule ofSize(long size) {
        for (LpaeGranule g : values()) {
            if (g.size() == size) {
                return g;
            }
        }
        return null;
    }
}
