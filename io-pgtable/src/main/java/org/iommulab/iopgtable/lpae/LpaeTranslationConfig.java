package org.iommulab.iopgtable.lpae;

/**
 * What the hardware knows about one translation regime after decoding its configuration (an
 * SMMUv3 CD or STE, an SMMUv2 context bank, a generic IOMMU device-table entry): the format
 * {@link LpaeWalker} walks with. Decoding happens once, in the model's decoder; the walker
 * consumes this immutable value on every walk.
 *
 * <p>Fields: stage, granule, input size (64 - T0SZ), start level (derived from the input size
 * as stage-1 hardware does, or given, as VTCR/STE SL0 gives it for stage 2 with concatenated
 * tables), table base, output size (IPS/PS), and the flags AFFD (access-flag faults
 * disabled), HA (hardware access-flag update) and HAD (hierarchical attributes disabled).
 */
public final class LpaeTranslationConfig {
    private final LpaeStage stage;
    private final LpaeGranule granule;
    private final int inputSize;
    private final int startLevel;
    private final int startBits;
    private final long ttb;
    private final int outputSize;
    private final boolean affd;
    private final boolean ha;
    private final boolean had;

    private LpaeTranslationConfig(Builder b, int startLevel, int startBits) {
        stage = b.stage;
        granule = b.granule;
        inputSize = b.inputSize;
        this.startLevel = startLevel;
        this.startBits = startBits;
        ttb = b.ttb;
        outputSize = b.outputSize;
        affd = b.affd;
        ha = b.ha;
        had = b.had;
    }

    public static Builder builder(LpaeStage stage, LpaeGranule granule) {
        return new Builder(stage, granule);
    }

    public LpaeStage stage() {
        return stage;
    }

    public LpaeGranule granule() {
        return granule;
    }

    /** Input address size in bits. */
    public int inputSize() {
        return inputSize;
    }

    public int startLevel() {
        return startLevel;
    }

    /** Index bits of the start-level table (more than a granule's with concatenation). */
    public int startBits() {
        return startBits;
    }

    /** Physical address of the start-level table. */
    public long ttb() {
        return ttb;
    }

    /** Output address size in bits. */
    public int outputSize() {
        return outputSize;
    }

    /** Access-flag faults disabled (CD/STE AFFD): AF=0 translates as if set. */
    public boolean accessFlagFaultDisabled() {
        return affd;
    }

    /** Hardware access-flag update (CD.HA / VTCR.HA): AF=0 is set by the walk, no fault. */
    public boolean hardwareAccessFlag() {
        return ha;
    }

    /** Hierarchical attributes disabled (CD.HAD): APTable and XNTable are ignored. */
    public boolean hierarchicalAttributesDisabled() {
        return had;
    }

    /** Shift of level {@code level}'s index bits. */
    public int levelShift(int level) {
        return LpaeFormat.levelShift(level, granule);
    }

    @Override
    public String toString() {
        return String.format("%s %s IA %d OA %d SL %d TTB 0x%x%s%s%s", stage, granule, inputSize, outputSize, startLevel,
                ttb, affd ? " AFFD" : "", ha ? " HA" : "", had ? " HAD" : "");
    }

    /** Builds and checks a config; {@link #build()} names the first field that is wrong. */
    public static final class Builder {
        private final LpaeStage stage;
        private final LpaeGranule granule;
        private int inputSize = 48;
        private int startLevel = -1;
        private long ttb;
        private int outputSize = 48;
        private boolean affd;
        private boolean ha;
        private boolean had;

        private Builder(LpaeStage stage, LpaeGranule granule) {
            this.stage = stage;
            this.granule = granule;
        }

        public Builder inputSize(int bits) {
            inputSize = bits;
            return this;
        }

        /** The start level; without it, the level stage-1 hardware derives from the input size. */
        public Builder startLevel(int level) {
            startLevel = level;
            return this;
        }

        public Builder ttb(long base) {
            ttb = base;
            return this;
        }

        public Builder outputSize(int bits) {
            outputSize = bits;
            return this;
        }

        public Builder accessFlagFaultDisabled(boolean v) {
            affd = v;
            return this;
        }

        public Builder hardwareAccessFlag(boolean v) {
            ha = v;
            return this;
        }

        public Builder hierarchicalAttributesDisabled(boolean v) {
            had = v;
            return this;
        }

        /**
         * @throws IllegalArgumentException for a missing stage or granule, an output size with no
         *         encoding (or 52 bits without the 64 KiB granule), an input size the start level
         *         cannot resolve (more than one table, or more than 16 concatenated tables at stage
         *         2), or a table base not aligned to the start-level table's size
         */
        public LpaeTranslationConfig build() {
            if (stage == null || granule == null) {
                throw new IllegalArgumentException("translation config needs a stage and a granule");
            }
            if (!LpaeFormat.isEncodableAddressSize(outputSize) || outputSize == 52 && granule != LpaeGranule.G64K) {
                throw new IllegalArgumentException("output size " + outputSize + " bits is not valid with " + granule);
            }
            int maxIn = granule == LpaeGranule.G64K ? 52 : 48;
            if (inputSize <= granule.shift() || inputSize > maxIn) {
                throw new IllegalArgumentException("input size " + inputSize + " bits is not valid with " + granule);
            }
            int bits = granule.bitsPerLevel();
            int level = startLevel;
            if (level < 0) {
                int levels = (inputSize - granule.shift() + bits - 1) / bits;
                level = LpaeFormat.MAX_LEVELS - levels;
            }
            if (level > LpaeFormat.MAX_LEVELS - 1) {
                throw new IllegalArgumentException("start level " + level + " is beyond level 3");
            }
            int startBits = inputSize - LpaeFormat.levelShift(level, granule);
            int maxBits = bits + (stage == LpaeStage.STAGE2 ? 4 : 0);
            if (startBits < 1 || startBits > maxBits) {
                throw new IllegalArgumentException(String.format(
                        "start level %d cannot resolve a %d-bit input with %s (%d index bits, at most %d)", level,
                        inputSize, granule, startBits, maxBits));
            }
            long tableBytes = Math.max(64, 8L << startBits);
            if (ttb < 0 || (ttb & (tableBytes - 1)) != 0) {
                throw new IllegalArgumentException(String.format("table base 0x%x is not aligned to its %d-byte table",
                        ttb, tableBytes));
            }
            return new LpaeTranslationConfig(this, level, startBits);
        }
    }
}
