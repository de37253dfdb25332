package org.iommulab.replay.internal.sg;

import java.util.List;

import org.iommulab.replay.internal.parse.LongArray;
import org.iommulab.replay.internal.parse.TraceEvent;

/**
 * Rebuilds the CPU entry lengths of a traced {@code dma_map_sg} call. The tracepoint records
 * each entry's physical address ({@code sg_phys}) and each DMA segment's address and length, but
 * not the entries' own lengths ({@code include/trace/events/dma.h}). What pins them down:
 * <ol>
 * <li><b>nents == ents</b>: nothing was merged (dma-direct and swiotlb never merge; iommu-dma's
 * {@code __finalise_sg} gives an unmerged entry {@code sg_dma_len = s_length}, its original
 * length), so entry i's length is segment i's. CERTAIN.</li>
 * <li><b>iommu:map events</b> (ents &lt; nents, behind iommu-dma): {@code iommu_dma_map_sg}
 * lays the entries out back to back in one IOVA range, each taking its granule-aligned length
 * ({@code iova_align(offset + length)}, plus any boundary padding), and {@code iommu_map_sg}
 * maps physically contiguous runs of them, one {@code iommu:map} per run. Walking the runs finds
 * each entry's IOVA and aligned length; a DMA segment starts at entry i exactly when its address
 * is {@code iova_i + offset_i}; inside a merged segment every entry but the last ends on a
 * granule boundary ({@code __finalise_sg} merges only then), so its length is
 * {@code aligned - offset}, and the last one takes what remains of the segment. CERTAIN when
 * every step matches.</li>
 * <li>Otherwise UNCERTAIN, with a guess when one fits: each non-final entry of a merged segment
 * fills one granule ({@code granule - offset}), the last takes the rest.</li>
 * </ol>
 * <p>A call whose arrays the trace capped at 128 ({@code [TRUNCATED]}) is rebuilt from what
 * else the trace holds: every entry's physical address from the matching {@code dma_unmap_sg}
 * ({@link TruncatedSgIndex}), each entry's IOVA and aligned length from the {@code iommu:map}
 * runs as in case 2, the lengths of the entries of the first 128 segments from those segments
 * (an entry takes what is left of its segment, at most its granules; only an entry that ends
 * the segment may end inside a granule), and every later entry's length as its granules less
 * its offset. The last holds exactly for the entries inside a merged segment
 * ({@code __finalise_sg} merges only an entry that ends on a granule boundary); for the entry
 * that ends a segment past the 128th the trace records no length, so its bytes past the
 * segment's true end are a guess that changes neither the IOVA allocation
 * ({@code iova_align(offset + length)} per entry) nor any address the trace printed. CERTAIN
 * when every step matches; IMPOSSIBLE without the unmap or the maps.
 *
 * <p>IMPOSSIBLE when an entry would exceed the model's 2 GiB {@code int} length.
 */
public final class SgRebuilder {
    private final long granule;

    /** @param granule the IOMMU granule ({@code iova_align}), a power of two; 4096 on most systems */
    public SgRebuilder(long granule) {
        if (granule < 512 || Long.bitCount(granule) != 1) {
            throw new IllegalArgumentException("IOMMU granule must be a power of two of at least 512, got " + granule);
        }
        this.granule = granule;
    }

    public long granule() {
        return granule;
    }

    /** Rebuilds the lengths of {@code mapSg} (a dma_map_sg event) with the maps that preceded it. */
    public SgRebuild rebuild(TraceEvent mapSg, PrecedingMaps maps) {
        return rebuild(mapSg, maps, null);
    }

    /**
     * Rebuilds the lengths of {@code mapSg} with the maps it produced and, for a truncated call,
     * every entry's physical address ({@code allPhys}, from its dma_unmap_sg; null when unknown).
     * The lengths returned are for every entry ({@code allPhys.size()} of them when truncated).
     */
    public SgRebuild rebuild(TraceEvent mapSg, PrecedingMaps maps, LongArray allPhys) {
        LongArray phys = mapSg.physAddrs();
        LongArray dma = mapSg.dmaAddrs();
        LongArray lens = mapSg.lengths();
        if (mapSg.truncated()) {
            String held = String.format("trace holds %d of %d entries and %d of %d segments ([TRUNCATED])",
                    phys.size(), mapSg.fullNents(), dma.size(), mapSg.fullEnts());
            if (allPhys == null) {
                return SgRebuild.impossible(held + "; no dma_unmap_sg prints the rest");
            }
            if (maps.isEmpty() || !maps.complete()) {
                return SgRebuild.impossible(held + "; " + (maps.isEmpty() ? "no iommu:map events precede the call"
                        : "too many iommu:map events before the call"));
            }
            for (int k = 0; k < dma.size(); k++) {
                if (lens.get(k) > Integer.MAX_VALUE) {
                    return SgRebuild.impossible("DMA segment " + k + " is " + lens.get(k) + " bytes, beyond the model's 2 GiB entry length");
                }
            }
            String[] failure = new String[1];
            long[][] layout = layout(allPhys, maps.maps(), failure);
            int[] l = layout == null ? null : truncatedLengths(allPhys, dma, lens, layout[0], layout[1], failure);
            if (l == null) {
                return SgRebuild.impossible(held + "; the dma_unmap_sg and iommu:map events do not fit: " + failure[0]);
            }
            return SgRebuild.certain(l, held + "; the rest from dma_unmap_sg and " + maps.maps().size()
                    + " iommu:map event(s), entries past the 128th segment ending on their granules");
        }
        int n = phys.size();
        int e = dma.size();
        if (n == 0 || e == 0 || e > n) {
            return SgRebuild.impossible("inconsistent counts: " + n + " entries, " + e + " segments");
        }
        for (int k = 0; k < e; k++) {
            if (lens.get(k) > Integer.MAX_VALUE) {
                return SgRebuild.impossible("DMA segment " + k + " is " + lens.get(k) + " bytes, beyond the model's 2 GiB entry length");
            }
        }
        if (n == e) {
            int[] l = new int[n];
            for (int i = 0; i < n; i++) {
                l[i] = (int) lens.get(i);
            }
            return SgRebuild.certain(l, "nents == ents: every entry is its own segment");
        }
        String why;
        if (maps.isEmpty()) {
            why = "no iommu:map events precede the call";
        } else if (!maps.complete()) {
            why = "too many iommu:map events before the call";
        } else {
            String[] failure = new String[1];
            int[] l = fromIommuMaps(phys, dma, lens, maps.maps(), failure);
            if (l != null) {
                return SgRebuild.certain(l, maps.maps().size() + " iommu:map event(s) pin every entry");
            }
            why = "iommu:map events do not fit: " + failure[0];
        }
        int[] guess = guess(phys, lens);
        return SgRebuild.uncertain(guess, why + "; " + (guess == null
                ? "no layout with one granule per merged entry fits"
                : "guess: one granule per merged non-final entry"));
    }

    private long offset(long phys) {
        return phys & (granule - 1);
    }

    /** Case 2; null with {@code failure[0]} set when the maps do not fit. */
    private int[] fromIommuMaps(LongArray phys, LongArray dma, LongArray lens, List<IommuMap> runs, String[] failure) {
        long[][] layout = layout(phys, runs, failure);
        return layout == null ? null : lengthsFromLayout(phys, dma, lens, layout[0], layout[1], failure);
    }

    /**
     * Each entry's IOVA and granule-aligned length from the runs {@code iommu_map_sg} mapped
     * (as {@code {iova[], aligned[]}}), or null with {@code failure[0]} set.
     */
    private long[][] layout(LongArray phys, List<IommuMap> runs, String[] failure) {
        for (int r = 1; r < runs.size(); r++) {
            if (runs.get(r).iova() != runs.get(r - 1).iovaEnd()) {
                failure[0] = "runs are not one contiguous IOVA range (line " + runs.get(r).line() + ")";
                return null;
            }
        }
        int n = phys.size();
        long[] iova = new long[n];
        long[] aligned = new long[n];
        int run = 0;
        iova[0] = runs.get(0).iova();
        if (runs.get(0).paddr() != phys.get(0) - offset(phys.get(0))) {
            failure[0] = "the first run does not start at entry 0's page";
            return null;
        }
        for (int i = 0; i + 1 < n; i++) {
            IommuMap cur = runs.get(run);
            long here = cur.paddr() + (iova[i] - cur.iova());
            long nextPage = phys.get(i + 1) - offset(phys.get(i + 1));
            // (a) the next entry is physically contiguous: same run
            long same = nextPage - here;
            boolean inRun = same > 0 && iova[i] + same < cur.iovaEnd();
            // (b) the next entry starts the next run
            boolean nextRun = run + 1 < runs.size() && runs.get(run + 1).paddr() == nextPage;
            if (inRun && nextRun) {
                failure[0] = "entry " + (i + 1) + " fits two places";
                return null;
            }
            if (inRun) {
                aligned[i] = same;
            } else if (nextRun) {
                aligned[i] = cur.iovaEnd() - iova[i];
                run++;
            } else {
                failure[0] = "entry " + (i + 1) + " is in no run";
                return null;
            }
            if (aligned[i] % granule != 0 || aligned[i] <= offset(phys.get(i))) {
                failure[0] = "entry " + i + " would take " + aligned[i] + " bytes of IOVA";
                return null;
            }
            iova[i + 1] = iova[i] + aligned[i];
        }
        if (run != runs.size() - 1) {
            failure[0] = (runs.size() - 1 - run) + " run(s) left over";
            return null;
        }
        aligned[n - 1] = runs.get(run).iovaEnd() - iova[n - 1];
        if (aligned[n - 1] <= offset(phys.get(n - 1))) {
            failure[0] = "the last entry has no room";
            return null;
        }
        return new long[][] {iova, aligned};
    }

    /**
     * The truncated case: the first {@code dma.size()} segments are known, each starting at its
     * entry's IOVA plus offset and taking whole entries up to its length (an entry inside a
     * segment fills its granules; the one that ends it takes what is left); every later entry
     * fills its granules.
     */
    private int[] truncatedLengths(LongArray phys, LongArray dma, LongArray lens, long[] iova, long[] aligned,
            String[] failure) {
        int n = phys.size();
        int[] l = new int[n];
        int i = 0;
        for (int seg = 0; seg < dma.size(); seg++) {
            if (i >= n || dma.get(seg) != iova[i] + offset(phys.get(i))) {
                failure[0] = "segment " + seg + " starts at no entry";
                return null;
            }
            long left = lens.get(seg);
            int first = i;
            while (left > 0) {
                if (i >= n) {
                    failure[0] = "segment " + seg + " is longer than its entries";
                    return null;
                }
                if (i > first && offset(phys.get(i)) != 0) {
                    failure[0] = "entry " + i + " is unaligned inside segment " + seg;
                    return null;
                }
                long cap = aligned[i] - offset(phys.get(i));
                long len = Math.min(left, cap);
                l[i++] = (int) len;
                left -= len;
            }
        }
        for (; i < n; i++) {
            long len = aligned[i] - offset(phys.get(i));
            if (len > Integer.MAX_VALUE) {
                failure[0] = "entry " + i + " is beyond the model's 2 GiB entry length";
                return null;
            }
            l[i] = (int) len;
        }
        return l;
    }

    /** Splits the entries into the traced segments by address and derives each length. */
    private int[] lengthsFromLayout(LongArray phys, LongArray dma, LongArray lens, long[] iova, long[] aligned, String[] failure) {
        int n = phys.size();
        int e = dma.size();
        int[] l = new int[n];
        if (dma.get(0) != iova[0] + offset(phys.get(0))) {
            failure[0] = "segment 0 does not start at entry 0";
            return null;
        }
        int seg = 0;
        int first = 0;
        for (int i = 1; i <= n; i++) {
            boolean starts = i < n && seg + 1 < e && dma.get(seg + 1) == iova[i] + offset(phys.get(i));
            if (i < n && !starts) {
                continue;
            }
            // entries first..i-1 form segment seg
            long left = lens.get(seg);
            for (int j = first; j < i - 1; j++) {
                long len = aligned[j] - offset(phys.get(j));
                if (j > first && offset(phys.get(j)) != 0) {
                    failure[0] = "entry " + j + " is unaligned inside segment " + seg;
                    return null;
                }
                l[j] = (int) len;
                left -= len;
            }
            int last = i - 1;
            if (last > first && offset(phys.get(last)) != 0) {
                failure[0] = "entry " + last + " is unaligned inside segment " + seg;
                return null;
            }
            if (left <= 0 || left > aligned[last] - offset(phys.get(last))) {
                failure[0] = "segment " + seg + " length " + lens.get(seg) + " does not fit its entries";
                return null;
            }
            l[last] = (int) left;
            if (i < n) {
                seg++;
                first = i;
            }
        }
        if (seg != e - 1) {
            failure[0] = (e - 1 - seg) + " segment(s) start at no entry";
            return null;
        }
        return l;
    }

    /** Case 3: each merged, non-final entry fills one granule; null when that does not fit. */
    private int[] guess(LongArray phys, LongArray lens) {
        int n = phys.size();
        int e = lens.size();
        int[] l = new int[n];
        int i = 0;
        for (int k = 0; k < e; k++) {
            long left = lens.get(k);
            boolean firstOfSegment = true;
            while (true) {
                if (i >= n) {
                    return null;
                }
                long off = offset(phys.get(i));
                if (!firstOfSegment && off != 0) {
                    return null; // __finalise_sg never merges an entry with an IOVA offset
                }
                long cap = granule - off;
                boolean mustClose = (n - i - 1) == (e - k - 1);
                if (left <= cap || mustClose) {
                    if (left <= 0) {
                        return null;
                    }
                    l[i++] = (int) left;
                    break;
                }
                l[i++] = (int) cap;
                left -= cap;
                firstOfSegment = false;
            }
        }
        return i == n ? l : null;
    }
}
