package org.iommulab.iopgtable.lpae;

import org.iommulab.api.platform.PageAllocator;
import org.iommulab.iopgtable.IoPgtableConfig;

/**
 * The geometry of one LPAE page table as the driver side sees it: Linux's
 * {@code struct io_pgtable_cfg} after {@code arm_lpae_restrict_pgsizes} and
 * {@code arm_lpae_alloc_pgtable} ({@code drivers/iommu/io-pgtable-arm.c}) have restricted the
 * page sizes to one granule, clamped the address sizes and worked out the levels. Also gives
 * the register encodings a driver programs for it (TCR/CD: T0SZ, TG0, IPS; VTCR/STE: SL0, PS).
 * The {@link IoPgtableConfig} of the ARM LPAE formats. Immutable.
 */
public final class LpaeConfig implements IoPgtableConfig {
    private final LpaeStage stage;
    private final LpaeGranule granule;
    private final long pgsizeBitmap;
    private final int ias;
    private final int oas;
    private final int startLevel;
    private final int pgdBits;

    private LpaeConfig(LpaeStage stage, LpaeGranule granule, long pgsizeBitmap, int ias, int oas, int startLevel,
            int pgdBits) {
        this.stage = stage;
        this.granule = granule;
        this.pgsizeBitmap = pgsizeBitmap;
        this.ias = ias;
        this.oas = oas;
        this.startLevel = startLevel;
        this.pgdBits = pgdBits;
    }

    /**
     * Linux {@code alloc_io_pgtable_ops(ARM_64_LPAE_S1 or S2, cfg)} minus the allocation:
     * restricts {@code pgsizeBitmap} to one granule's sizes (the CPU page size if offered, else
     * the smallest), clamps IAS and OAS to 48 bits (52 with 64 KiB), and computes the levels;
     * stage 2 concatenates a start table of at most 16 entries into the next level.
     *
     * @throws IllegalArgumentException when no granule is left, an address size is beyond 52
     *         bits, the OAS has no register encoding, or the IAS leaves no level to translate
     */
    public static LpaeConfig of(LpaeStage stage, long pgsizeBitmap, int ias, int oas) {
        if (stage == null) {
            throw new IllegalArgumentException("LPAE stage must not be null");
        }
        if (ias > LpaeFormat.MAX_ADDR_BITS || oas > LpaeFormat.MAX_ADDR_BITS) {
            throw new IllegalArgumentException("LPAE address sizes are at most 52 bits, got IAS " + ias + " OAS " + oas);
        }
        // arm_lpae_restrict_pgsizes: prefer the CPU page size, else the largest size below it,
        // else the smallest above it.
        long page = PageAllocator.PAGE_SIZE;
        long granuleSize;
        if ((pgsizeBitmap & page) != 0) {
            granuleSize = page;
        } else if ((pgsizeBitmap & (page - 1)) != 0) {
            granuleSize = Long.highestOneBit(pgsizeBitmap & (page - 1));
        } else if ((pgsizeBitmap & -page) != 0) {
            granuleSize = Long.lowestOneBit(pgsizeBitmap & -page);
        } else {
            granuleSize = 0;
        }
        LpaeGranule g = LpaeGranule.ofSize(granuleSize);
        if (g == null) {
            throw new IllegalArgumentException(String.format("pgsize_bitmap 0x%x offers no 4K, 16K or 64K granule", pgsizeBitmap));
        }
        int maxAddrBits = g == LpaeGranule.G64K ? 52 : 48;
        long bitmap = pgsizeBitmap & g.pageSizes(oas);
        int cIas = Math.min(ias, maxAddrBits);
        int cOas = Math.min(oas, maxAddrBits);
        if (!LpaeFormat.isEncodableAddressSize(cOas)) {
            throw new IllegalArgumentException("OAS " + cOas + " has no TCR.IPS/VTCR.PS encoding (32, 36, 40, 42, 44, 48, 52)");
        }
        // arm_lpae_alloc_pgtable
        int pgShift = g.shift();
        int bits = g.bitsPerLevel();
        int vaBits = cIas - pgShift;
        if (vaBits < 1) {
            throw new IllegalArgumentException("IAS " + cIas + " leaves no bits to translate with a " + g + " granule");
        }
        int levels = (vaBits + bits - 1) / bits;
        int start = LpaeFormat.MAX_LEVELS - levels;
        int pgd = vaBits - bits * (levels - 1);
        if (stage == LpaeStage.STAGE2 && start == 0 && (1 << pgd) <= LpaeFormat.S2_MAX_CONCAT_PAGES) {
            // "Concatenate PGDs at level 1 if possible in order to reduce the depth of the
            // stage-2 walk."
            pgd += bits;
            start++;
        }
        return new LpaeConfig(stage, g, bitmap, cIas, cOas, start, pgd);
    }

    public LpaeStage stage() {
        return stage;
    }

    public LpaeGranule granule() {
        return granule;
    }

    /** Page sizes this table maps with (restricted), one bit per size. */
    @Override
    public long pgsizeBitmap() {
        return pgsizeBitmap;
    }

    /** Input address size in bits (after clamping). */
    @Override
    public int ias() {
        return ias;
    }

    /** Output address size in bits (after clamping). */
    @Override
    public int oas() {
        return oas;
    }

    /** First level of the walk, Linux {@code data->start_level}. */
    public int startLevel() {
        return startLevel;
    }

    /** Index bits resolved by the start-level table, Linux {@code data->pgd_bits}. */
    public int pgdBits() {
        return pgdBits;
    }

    /** Bytes of the start-level table, Linux {@code ARM_LPAE_PGD_SIZE}. */
    public long pgdSize() {
        return 8L << pgdBits;
    }

    /** Linux {@code ARM_LPAE_LVL_SHIFT}. */
    public int levelShift(int level) {
        return LpaeFormat.levelShift(level, granule);
    }

    /** Linux {@code ARM_LPAE_BLOCK_SIZE}: bytes one level-{@code level} entry maps. */
    public long blockSize(int level) {
        return 1L << levelShift(level);
    }

    /** Index bits of a level-{@code level} table: {@link #pgdBits} at the start level. */
    public int indexBits(int level) {
        return level == startLevel ? pgdBits : granule.bitsPerLevel();
    }

    /** Linux {@code ARM_LPAE_LVL_IDX}: the index of {@code iova} in a level-{@code level} table. */
    public int index(long iova, int level) {
        return (int) ((iova >>> levelShift(level)) & ((1L << indexBits(level)) - 1));
    }

    /** TCR.T0SZ / STE.S2T0SZ: {@code 64 - ias}. */
    public int t0sz() {
        return 64 - ias;
    }

    /** TCR.TG0 encoding (Linux {@code ARM_LPAE_TCR_TG0_*}): 4K 0, 64K 1, 16K 2. */
    public int tg0() {
        switch (granule) {
            case G4K:
                return 0;
            case G64K:
                return 1;
            default:
                return 2;
        }
    }

    /** TCR.IPS / VTCR.PS encoding of the OAS (Linux {@code ARM_LPAE_TCR_PS_*}). */
    public int ps() {
        switch (oas) {
            case 32: return 0;
            case 36: return 1;
            case 40: return 2;
            case 42: return 3;
            case 44: return 4;
            case 48: return 5;
            default: return 6;
        }
    }

    /**
     * VTCR.SL0 (stage 2), as Linux's {@code arm_64_lpae_alloc_pgtable_s2}: {@code ~sl & 3} with
     * {@code sl = start_level}, plus one for the 4 KiB granule whose SL0 encoding differs.
     */
    public int sl0() {
        int sl = startLevel + (granule == LpaeGranule.G4K ? 1 : 0);
        return ~sl & 3;
    }

    /** The MAIR value the stage-1 attribute indexes refer to ({@link LpaeFormat#MAIR}). */
    public long mair() {
        return LpaeFormat.MAIR;
    }

    @Override
    public String toString() {
        return String.format("LPAE %s %s pgsize 0x%x IAS %d OAS %d start level %d pgd bits %d", stage, granule,
                pgsizeBitmap, ias, oas, startLevel, pgdBits);
    }
}
