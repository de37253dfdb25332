package org.iommulab.replay.internal.sg;

/**
 * The rebuilt CPU entry lengths of one dma_map_sg call, how certain they are, and on what basis
 * (or why they could not be rebuilt). Immutable.
 */
public final class SgRebuild {
    private final SgCertainty certainty;
    private final int[] lengths;
    private final String basis;

    private SgRebuild(SgCertainty certainty, int[] lengths, String basis) {
        this.certainty = certainty;
        this.lengths = lengths;
        this.basis = basis;
    }

    static SgRebuild certain(int[] lengths, String basis) {
        return new SgRebuild(SgCertainty.CERTAIN, lengths, basis);
    }

    static SgRebuild uncertain(int[] guess, String basis) {
        return new SgRebuild(SgCertainty.UNCERTAIN, guess, basis);
    }

    static SgRebuild impossible(String why) {
        return new SgRebuild(SgCertainty.IMPOSSIBLE, null, why);
    }

    public SgCertainty certainty() {
        return certainty;
    }

    /** True when lengths exist (certain, or an uncertain guess). */
    public boolean hasLengths() {
        return lengths != null;
    }

    /** The CPU entry lengths (a copy), or null. */
    public int[] lengths() {
        return lengths == null ? null : lengths.clone();
    }

    /** Length of entry {@code i}; {@link #hasLengths()} must hold. */
    public int length(int i) {
        return lengths[i];
    }

    /** What the lengths rest on, or why there are none. */
    public String basis() {
        return basis;
    }

    @Override
    public String toString() {
        return certainty + " (" + basis + ")" + (lengths == null ? "" : " " + java.util.Arrays.toString(lengths));
    }
}
