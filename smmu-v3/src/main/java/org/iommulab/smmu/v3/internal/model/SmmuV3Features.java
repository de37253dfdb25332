package org.iommulab.smmu.v3.internal.model;

import org.iommulab.smmu.v3.internal.format.CdFormat;
import org.iommulab.smmu.v3.internal.format.RegFields;

/**
 * What one SMMUv3 instance implements, from which its ID registers are built (QEMU's
 * {@code stage}, {@code ril}, {@code oas}, {@code ssidsize} properties and the rest fixed):
 * translation stages, StreamID and SubstreamID widths, queue sizes, output address size,
 * granules, range invalidation, ATS, and the IOTLB capacity. Immutable; {@link Builder#build()}
 * checks every value and names the first one that is wrong.
 */
public final class SmmuV3Features {
    /** Translation stages advertised in IDR0.S1P/S2P. */
    public enum Stages {
        /** Stage 1 only (QEMU's default "1"). */
        S1,
        /** Stage 2 only. */
        S2,
        /** Both, so an STE may nest them (QEMU's "nested"). */
        NESTED;

        public boolean stage1() {
            return this != S2;
        }

        public boolean stage2() {
            return this != S1;
        }
    }

    private final Stages stages;
    private final int sidBits;
    private final int ssidBits;
    private final int cmdqLog2;
    private final int evtqLog2;
    private final int oasBits;
    private final boolean gran4k;
    private final boolean gran16k;
    private final boolean gran64k;
    private final boolean ril;
    private final boolean ats;
    private final int iotlbEntries;

    private SmmuV3Features(Builder b) {
        stages = b.stages;
        sidBits = b.sidBits;
        ssidBits = b.ssidBits;
        cmdqLog2 = b.cmdqLog2;
        evtqLog2 = b.evtqLog2;
        oasBits = b.oasBits;
        gran4k = b.gran4k;
        gran16k = b.gran16k;
        gran64k = b.gran64k;
        ril = b.ril;
        ats = b.ats;
        iotlbEntries = b.iotlbEntries;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** QEMU's defaults: stage 1, 16-bit StreamIDs, 2^19-entry queues, 44-bit OAS, all granules, RIL. */
    public static SmmuV3Features defaults() {
        return builder().build();
    }

    public Stages stages() {
        return stages;
    }

    public boolean stage1() {
        return stages.stage1();
    }

    public boolean stage2() {
        return stages.stage2();
    }

    /** IDR1.SIDSIZE. */
    public int sidBits() {
        return sidBits;
    }

    /** IDR1.SSIDSIZE: 0 means no SubstreamIDs (STE.S1CDMax and S1DSS are IGNORED). */
    public int ssidBits() {
        return ssidBits;
    }

    /** IDR1.CMDQS. */
    public int cmdqLog2() {
        return cmdqLog2;
    }

    /** IDR1.EVENTQS. */
    public int evtqLog2() {
        return evtqLog2;
    }

    /** IDR5.OAS in bits. */
    public int oasBits() {
        return oasBits;
    }

    public boolean gran4k() {
        return gran4k;
    }

    public boolean gran16k() {
        return gran16k;
    }

    public boolean gran64k() {
        return gran64k;
    }

    /** log2 of the smallest granule supported. */
    public int minGranuleShift() {
        return gran4k ? 12 : gran16k ? 14 : 16;
    }

    /** IDR3.RIL: range invalidation (TLBI with TG/NUM/SCALE). */
    public boolean ril() {
        return ril;
    }

    /** IDR0.ATS: the SMMU accepts ATS; no endpoint here has an ATC, so CMD_ATC_INV does nothing. */
    public boolean ats() {
        return ats;
    }

    /** IOTLB capacity in entries. */
    public int iotlbEntries() {
        return iotlbEntries;
    }

    @Override
    public String toString() {
        return String.format("SMMUv3 %s sid %d ssid %d cmdq 2^%d evtq 2^%d oas %d gran%s%s%s%s%s iotlb %d", stages,
                sidBits, ssidBits, cmdqLog2, evtqLog2, oasBits, gran4k ? " 4K" : "", gran16k ? " 16K" : "",
                gran64k ? " 64K" : "", ril ? " RIL" : "", ats ? " ATS" : "", iotlbEntries);
    }

    /** Builds {@link SmmuV3Features}; starts from QEMU's values. */
    public static final class Builder {
        private Stages stages = Stages.S1;
        private int sidBits = 16;
        private int ssidBits;
        private int cmdqLog2 = RegFields.Queue.MAX_LOG2SIZE;
        private int evtqLog2 = RegFields.Queue.MAX_LOG2SIZE;
        private int oasBits = 44;
        private boolean gran4k = true;
        private boolean gran16k = true;
        private boolean gran64k = true;
        private boolean ril = true;
        private boolean ats;
        private int iotlbEntries = 256;

        private Builder() {
        }

        public Builder stages(Stages s) {
            stages = s;
            return this;
        }

        public Builder sidBits(int bits) {
            sidBits = bits;
            return this;
        }

        public Builder ssidBits(int bits) {
            ssidBits = bits;
            return this;
        }

        public Builder cmdqLog2(int log2) {
            cmdqLog2 = log2;
            return this;
        }

        public Builder evtqLog2(int log2) {
            evtqLog2 = log2;
            return this;
        }

        public Builder oasBits(int bits) {
            oasBits = bits;
            return this;
        }

        /** The granules supported (IDR5.GRAN4K/16K/64K). */
        public Builder granules(boolean g4k, boolean g16k, boolean g64k) {
            gran4k = g4k;
            gran16k = g16k;
            gran64k = g64k;
            return this;
        }

        public Builder ril(boolean r) {
            ril = r;
            return this;
        }

        public Builder ats(boolean a) {
            ats = a;
            return this;
        }

        public Builder iotlbEntries(int n) {
            iotlbEntries = n;
            return this;
        }

        /** @throws IllegalArgumentException naming the first value that is wrong */
        public SmmuV3Features build() {
            if (stages == null) {
                throw new IllegalArgumentException("stages must be S1, S2 or NESTED");
            }
            if (sidBits < 1 || sidBits > 32) {
                throw new IllegalArgumentException("SIDSIZE must be 1..32 bits, got " + sidBits);
            }
            if (ssidBits < 0 || ssidBits > 20) {
                throw new IllegalArgumentException("SSIDSIZE must be 0..20 bits, got " + ssidBits);
            }
            if (cmdqLog2 < 1 || cmdqLog2 > RegFields.Queue.MAX_LOG2SIZE) {
                throw new IllegalArgumentException("CMDQS must be 1..19, got " + cmdqLog2);
            }
            if (evtqLog2 < 1 || evtqLog2 > RegFields.Queue.MAX_LOG2SIZE) {
                throw new IllegalArgumentException("EVENTQS must be 1..19, got " + evtqLog2);
            }
            if (CdFormat.addressEncoding(oasBits) < 0 || oasBits > 48) {
                throw new IllegalArgumentException("OAS must be 32, 36, 40, 42, 44 or 48 bits, got " + oasBits);
            }
            if (!gran4k && !gran16k && !gran64k) {
                throw new IllegalArgumentException("at least one granule (4K, 16K, 64K) must be supported");
            }
            if (iotlbEntries < 1 || iotlbEntries > (1 << 20)) {
                throw new IllegalArgumentException("IOTLB size must be 1..1048576 entries, got " + iotlbEntries);
            }
            return new SmmuV3Features(this);
        }
    }
}
