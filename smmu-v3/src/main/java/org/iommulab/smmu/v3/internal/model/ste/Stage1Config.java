package org.iommulab.smmu.v3.internal.model.ste;

import org.iommulab.iopgtable.lpae.LpaeTranslationConfig;

/**
 * A stream's decoded stage-1 regime, from its CD: the TTB0 and TTB1 regimes (null when
 * EPDx = 1), top-byte-ignore per half, the ASID that tags its TLB entries, and CD.R, which
 * gates the recording of stage-1 faults. In a nested stream the table bases are IPAs, which the
 * walk translates through stage 2. Immutable.
 */
public final class Stage1Config {
    private final LpaeTranslationConfig tt0;
    private final LpaeTranslationConfig tt1;
    private final boolean tbi0;
    private final boolean tbi1;
    private final int asid;
    private final boolean recordFaults;
    private final long cdAddress;

    Stage1Config(LpaeTranslationConfig tt0, LpaeTranslationConfig tt1, boolean tbi0, boolean tbi1, int asid,
            boolean recordFaults, long cdAddress) {
        this.tt0 = tt0;
        this.tt1 = tt1;
        this.tbi0 = tbi0;
        this.tbi1 = tbi1;
        this.asid = asid;
        this.recordFaults = recordFaults;
        this.cdAddress = cdAddress;
    }

    /** The TTB0 regime, or null when CD.EPD0 = 1. */
    public LpaeTranslationConfig tt0() {
        return tt0;
    }

    /** The TTB1 regime, or null when CD.EPD1 = 1. */
    public LpaeTranslationConfig tt1() {
        return tt1;
    }

    public int asid() {
        return asid;
    }

    /** CD.R: record F_TRANSLATION, F_ADDR_SIZE, F_ACCESS, F_PERMISSION at stage 1. */
    public boolean recordFaults() {
        return recordFaults;
    }

    /** Physical address the CD was fetched from. */
    public long cdAddress() {
        return cdAddress;
    }

    /**
     * Which half of the VA space {@code va} falls in (AArch64 TTBR selection by VA[55]): 0 or 1,
     * or -1 when its upper bits do not match that half's size (a translation fault). Top-byte
     * ignore drops bits [63:56] from the check.
     */
    public int select(long va) {
        int half = (int) ((va >>> 55) & 1);
        LpaeTranslationConfig tt = half == 0 ? tt0 : tt1;
        int size = half == 0 ? (tt0 != null ? tt0.inputSize() : 64) : (tt1 != null ? tt1.inputSize() : 64);
        boolean tbi = half == 0 ? tbi0 : tbi1;
        long top = tbi ? (va << 8) >> 8 : va;
        long upper = top >> size;
        if (size < 64 && upper != (half == 0 ? 0 : -1L)) {
            return -1;
        }
        return tt == null ? -1 : half;
    }

    /** The input the walker walks for {@code va} in half {@code half}: the low bits the regime resolves. */
    public long walkInput(long va, int half) {
        LpaeTranslationConfig tt = half == 0 ? tt0 : tt1;
        return va & ((1L << tt.inputSize()) - 1);
    }

    public LpaeTranslationConfig regime(int half) {
        return half == 0 ? tt0 : tt1;
    }

    @Override
    public String toString() {
        return "S1 asid " + asid + " tt0 " + tt0 + " tt1 " + tt1 + (recordFaults ? " R" : "");
    }
}
