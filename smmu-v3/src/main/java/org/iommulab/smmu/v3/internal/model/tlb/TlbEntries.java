package org.iommulab.smmu.v3.internal.model.tlb;

import org.iommulab.modelkit.tlb.Iotlb;
import org.iommulab.modelkit.tlb.ReplacementPolicy;

/**
 * How the SMMUv3 model uses the kit's {@link Iotlb}: leaf translations keyed like QEMU's
 * {@code SMMUIOTLBKey (asid, vmid, iova, tg, level)}, with the kit's kind the stage of the
 * entry, its outer tag the VMID and its inner tag the ASID (-1 where there is none); a lookup
 * probes every block size present. Unlike QEMU, which flushes the whole table when it reaches
 * 256 entries, a full table evicts one entry (CLOCK: the first one not used since the hand
 * last passed), so a working set larger than the TLB degrades gradually, as real TLBs do.
 * Model data: an entry keeps its IPA block in {@code aux0} and its stage-2 leaf level in
 * {@code auxInt}, for the stage-2 permission fault a later hit may report.
 */
public final class TlbEntries {
    /** A stage-1-only translation: input is a VA, output a PA. */
    public static final int KIND_S1 = 1;
    /** A stage-2-only translation: input is an IPA. */
    public static final int KIND_S2 = 2;
    /** A combined stage-1 + stage-2 translation (nesting): input VA, output PA. */
    public static final int KIND_NESTED = 3;

    /** Permission bits of an entry. */
    public static final int S1_READ = 1;
    public static final int S1_WRITE = 2;
    public static final int S2_READ = 4;
    public static final int S2_WRITE = 8;

    private TlbEntries() {
    }

    /** The SMMU's IOTLB: fully associative, CLOCK replacement. */
    public static Iotlb create(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("IOTLB capacity must be positive, got " + capacity);
        }
        return new Iotlb(1, capacity, ReplacementPolicy.clock());
    }

    /**
     * Caches a translation of the {@code 2^blockShift}-byte block containing {@code addr}, with
     * its IPA and stage-2 level; returns the entry's slot.
     */
    public static int fill(Iotlb tlb, int kind, int vmid, int asid, long addr, int blockShift, long out, long ipa,
            int perms, int level, int s2Level) {
        int e = tlb.fill(kind, vmid, asid, addr, blockShift, out, perms, level);
        tlb.setAux(e, ipa & -(1L << blockShift), 0);
        tlb.setAuxInt(e, s2Level);
        return e;
    }

    /** The IPA of {@code addr} through entry {@code e} (stage-2 and nested entries). */
    public static long ipaOf(Iotlb tlb, int e, long addr) {
        return tlb.aux0(e) | (addr & ((1L << tlb.shift(e)) - 1));
    }

    /** The stage-2 leaf level of entry {@code e}. */
    public static int s2Level(Iotlb tlb, int e) {
        return tlb.auxInt(e);
    }
}
