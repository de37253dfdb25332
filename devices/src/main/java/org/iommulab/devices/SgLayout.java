package org.iommulab.devices;

import java.util.List;

import org.iommulab.api.dma.SgTable;

/**
 * One mapped scatterlist as a driver saw it, for a picture: its CPU view (the entries it
 * built, {@code orig_nents}), its DMA view (the segments the backend returned, {@code nents})
 * and, for a driver that pairs the two views itself, which CPU entry it took each DMA segment
 * to be and how many bytes that put in the wrong place. Immutable.
 */
public final class SgLayout {
    /**
     * The driver took DMA segment {@code segment} to be CPU entry {@code entry}, and moved
     * {@code pioBytes} of that segment itself, {@code misplacedBytes} of them at a CPU address
     * other than the one the CPU view gives for their offset in the transfer (0 when the pairing
     * held).
     */
    public record Pair(int segment, int entry, long pioBytes, long misplacedBytes) {
        public Pair {
            if (segment < 0 || entry < 0 || pioBytes < 0 || misplacedBytes < 0 || misplacedBytes > pioBytes) {
                throw new IllegalArgumentException("bad pair: segment " + segment + " entry " + entry + " pio " + pioBytes
                        + " misplaced " + misplacedBytes);
            }
        }

        /** True when the pairing put bytes in the wrong place. */
        public boolean wrong() {
            return misplacedBytes > 0;
        }
    }

    private final long[] cpuAddress;
    private final int[] cpuLength;
    private final long[] dmaAddress;
    private final int[] dmaLength;
    private final List<Pair> pairs;

    private SgLayout(long[] cpuAddress, int[] cpuLength, long[] dmaAddress, int[] dmaLength, List<Pair> pairs) {
        this.cpuAddress = cpuAddress;
        this.cpuLength = cpuLength;
        this.dmaAddress = dmaAddress;
        this.dmaLength = dmaLength;
        this.pairs = List.copyOf(pairs);
    }

    /**
     * The layout of {@code mapped}, a scatterlist that is mapped now, with the driver's own
     * pairings (empty for a driver that never pairs the views).
     *
     * @throws IllegalArgumentException when the list is not mapped or a pair names a segment or
     *     entry the list does not have
     */
    public static SgLayout of(SgTable mapped, List<Pair> pairs) {
        if (!mapped.isMapped()) {
            throw new IllegalArgumentException("the scatterlist is not mapped");
        }
        int n = mapped.origNents();
        int nents = mapped.nents();
        long[] ca = new long[n];
        int[] cl = new int[n];
        for (int i = 0; i < n; i++) {
            ca[i] = mapped.cpuPhys(i);
            cl[i] = mapped.cpuLength(i);
        }
        long[] da = new long[nents];
        int[] dl = new int[nents];
        for (int i = 0; i < nents; i++) {
            da[i] = mapped.dmaAddress(i);
            dl[i] = mapped.dmaLength(i);
        }
        for (Pair p : pairs) {
            if (p.segment() >= nents || p.entry() >= n) {
                throw new IllegalArgumentException("pair " + p + " is outside a list of " + n + " entries and " + nents
                        + " segments");
            }
        }
        return new SgLayout(ca, cl, da, dl, pairs);
    }

    /** CPU entries ({@code orig_nents}). */
    public int entries() {
        return cpuAddress.length;
    }

    /** DMA segments ({@code nents}). */
    public int segments() {
        return dmaAddress.length;
    }

    public long cpuAddress(int entry) {
        return cpuAddress[entry];
    }

    public int cpuLength(int entry) {
        return cpuLength[entry];
    }

    public long dmaAddress(int segment) {
        return dmaAddress[segment];
    }

    public int dmaLength(int segment) {
        return dmaLength[segment];
    }

    /** True when the backend merged entries (fewer segments than entries). */
    public boolean merged() {
        return segments() < entries();
    }

    /** The driver's pairings of segment to entry, by segment; empty for a driver that does not pair. */
    public List<Pair> pairs() {
        return pairs;
    }

    /** Bytes the driver's pairings put in the wrong place, summed. */
    public long misplacedBytes() {
        return pairs.stream().mapToLong(Pair::misplacedBytes).sum();
    }

    /**
     * The CPU entries DMA segment {@code segment} really covers, as {@code [first, last]}: the
     * DMA view and the CPU view walk the same bytes in the same order, so segment s covers the
     * entries under its byte range in the transfer.
     */
    public int[] covered(int segment) {
        long start = 0;
        for (int s = 0; s < segment; s++) {
            start += dmaLength[s];
        }
        long end = start + dmaLength[segment];
        int first = -1;
        int last = -1;
        long at = 0;
        for (int e = 0; e < cpuLength.length; e++) {
            long next = at + cpuLength[e];
            if (next > start && at < end) {
                if (first < 0) {
                    first = e;
                }
                last = e;
            }
            at = next;
        }
        return new int[] {first, last};
    }
}
