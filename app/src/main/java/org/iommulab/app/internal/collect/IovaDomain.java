package org.iommulab.app.internal.collect;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.iommulab.api.backend.ReservedRegion;
import org.iommulab.api.iommu.PageTableCensus;

/**
 * The DMA address space of one device on one backend over simulated time (behind an IOMMU: its
 * domain's IOVA space): every mapping as a range of addresses live from one time to another,
 * and the bytes live over time. Memory is bounded: at most {@link #MAX_RANGES} ended ranges are
 * kept, and when a new one would pass that, neighbours in time merge pairwise into the box that
 * holds both (the picture then says it is downsampled). Not thread-safe: the caller locks.
 */
public final class IovaDomain {
    public static final int MAX_RANGES = 2048;

    /** A mapping's addresses {@code [address, address + size)} live over {@code [from, to)} simulated ns. */
    public record Range(long address, long size, long from, long to) {
        Range union(Range o) {
            long lo = Math.min(address, o.address);
            long hi = Math.max(address + size, o.address + o.size);
            return new Range(lo, hi - lo, Math.min(from, o.from), Math.max(to, o.to));
        }
    }

    private final String device;
    private final String backend;
    private final Map<Long, ArrayDeque<long[]>> open = new HashMap<>();
    private final List<Range> ended = new ArrayList<>();
    private final BucketSeries liveBytes = new BucketSeries();
    private final BucketSeries liveCount = new BucketSeries();
    private long live;
    private long liveMappings;
    private long mappings;
    private long lowest = Long.MAX_VALUE;
    private long highest = Long.MIN_VALUE;
    private int merges;
    private List<ReservedRegion> reserved;
    /** Live bytes when the last peak census was asked for (0: none yet). */
    private long censusAsked;
    private PageTableCensus peakCensus;
    private long peakCensusLive;
    private PageTableCensus endCensus;

    public IovaDomain(String device, String backend) {
        this.device = device;
        this.backend = backend;
    }

    /** The reserved regions the backend reported for this device, or null when not heard yet. */
    public List<ReservedRegion> reserved() {
        return reserved;
    }

    /** Sets what {@link #reserved()} gives (the backend's list, immutable). */
    public void reserved(List<ReservedRegion> regions) {
        this.reserved = regions;
    }

    /**
     * Whether a census near the peak is due: the live bytes are at least twice those of the
     * last one asked for (the first at the first mapping). Returns the live bytes and counts the
     * census as asked, or 0.
     */
    public long censusDue() {
        if (live > 0 && (censusAsked == 0 || live / 2 >= censusAsked)) {
            censusAsked = live;
            return live;
        }
        return 0;
    }

    /** Keeps {@code c}, taken when {@code liveBytes} were live, if no census at more live bytes is kept. */
    public void peakCensus(PageTableCensus c, long liveBytes) {
        if (peakCensus == null || liveBytes >= peakCensusLive) {
            peakCensus = c;
            peakCensusLive = liveBytes;
        }
    }

    /** The census taken at the most live bytes (within a factor of two of the peak), or null. */
    public PageTableCensus peakCensus() {
        return peakCensus;
    }

    /** The bytes live when {@link #peakCensus()} was taken. */
    public long peakCensusLive() {
        return peakCensusLive;
    }

    /** Sets the census at the end of the backend's group of runs (the last one holds). */
    public void endCensus(PageTableCensus c) {
        endCensus = c;
    }

    /** The census at the end of the backend's last group of runs, or null. */
    public PageTableCensus endCensus() {
        return endCensus;
    }

    public void mapped(long address, long size, long t) {
        open.computeIfAbsent(address, a -> new ArrayDeque<>()).add(new long[] {size, t});
        live += size;
        liveMappings++;
        liveCount.add(t, liveMappings);
        mappings++;
        lowest = Math.min(lowest, address);
        highest = Math.max(highest, address + size);
        liveBytes.add(t, live);
    }

    public void unmapped(long address, long size, long t) {
        ArrayDeque<long[]> q = open.get(address);
        if (q == null) {
            return; // mapped before the collector started
        }
        long[] m = q.poll();
        if (q.isEmpty()) {
            open.remove(address);
        }
        live -= m[0];
        liveMappings--;
        liveCount.add(t, liveMappings);
        liveBytes.add(t, live);
        if (ended.size() == MAX_RANGES) {
            downsample();
        }
        ended.add(new Range(address, m[0], m[1], t));
    }

    private void downsample() {
        List<Range> merged = new ArrayList<>(MAX_RANGES / 2 + 1);
        for (int i = 0; i + 1 < ended.size(); i += 2) {
            merged.add(ended.get(i).union(ended.get(i + 1)));
        }
        if (ended.size() % 2 == 1) {
            merged.add(ended.get(ended.size() - 1));
        }
        ended.clear();
        ended.addAll(merged);
        merges++;
    }

    public String device() {
        return device;
    }

    public String backend() {
        return backend;
    }

    /** Ended ranges, then the ones still live (ending at {@code now}). */
    public List<Range> ranges(long now) {
        List<Range> all = new ArrayList<>(ended);
        for (Map.Entry<Long, ArrayDeque<long[]>> e : open.entrySet()) {
            for (long[] m : e.getValue()) {
                all.add(new Range(e.getKey(), m[0], m[1], Math.max(now, m[1])));
            }
        }
        all.sort((a, b) -> a.from != b.from ? Long.compare(a.from, b.from) : Long.compareUnsigned(a.address, b.address));
        return all;
    }

    public BucketSeries liveBytes() {
        return liveBytes;
    }

    /** Mappings live over simulated time. */
    public BucketSeries liveCount() {
        return liveCount;
    }

    public long mappings() {
        return mappings;
    }

    /** Lowest address mapped, or {@code Long.MAX_VALUE} before any. */
    public long lowest() {
        return lowest;
    }

    /** End of the highest range mapped. */
    public long highest() {
        return highest;
    }

    /** How many times the ended ranges were merged pairwise to stay within {@link #MAX_RANGES}. */
    public int downsamplings() {
        return merges;
    }
}
