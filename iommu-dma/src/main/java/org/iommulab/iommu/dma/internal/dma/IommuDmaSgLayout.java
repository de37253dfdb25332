package org.iommulab.iommu.dma.internal.dma;

import java.util.Arrays;

import org.iommulab.api.dma.SgTable;

/**
 * Per-thread working arrays: the aligned layout Linux keeps in the entries themselves
 * ({@code s->offset}, {@code s->length} after {@code iommu_dma_map_sg}'s first loop), the
 * physically contiguous runs of {@code iommu_map_sg} and the segments of
 * {@code __finalise_sg} at addresses relative to the IOVA, all from {@link #lay}. Not
 * thread-safe: each thread has its own ({@link IommuDmaSg} keeps one per thread).
 */
final class IommuDmaSgLayout {
    /** The thread whose layout this is. */
    final Thread owner = Thread.currentThread();
    /** Each entry's granule-aligned physical address ({@code sg_phys(s)} once aligned). */
    long[] phys = new long[16];
    /** Each entry's aligned IOVA length, padding included ({@code s->length}). */
    long[] alen = new long[16];
    /** Where runs are built when some entry continues the one before it. */
    private long[] runPhysBuf = new long[16];
    private long[] runLenBuf = new long[16];
    /** The runs iommu_map_sg maps one __iommu_map each: {@code runs} of them. */
    long[] runPhys;
    long[] runLen;
    int runs;
    long runTotal;
    /** __finalise_sg's segments: start relative to the IOVA, length; valid when segsKnown. */
    long[] segRel = new long[16];
    int[] segLen = new int[16];
    int segs;
    private boolean segsKnown;
    private long segMask;
    /** alen[0 .. alenFilledTo) all hold alenFilled (a page list's granule): kept between lists. */
    private long alenFilled;
    private int alenFilledTo;

    IommuDmaSgLayout ensure(int n) {
        if (phys.length < n) {
            int cap = Math.max(n, phys.length * 2);
            phys = new long[cap];
            alen = new long[cap];
            alenFilledTo = 0;
            runPhysBuf = new long[cap];
            runLenBuf = new long[cap];
            segRel = new long[cap];
            segLen = new int[cap];
        }
        return this;
    }

    /**
     * Lays out {@code nents >= 1} entries: Linux {@code iommu_dma_map_sg}'s sizing loop,
     * {@code iommu_map_sg}'s run loop and {@code __finalise_sg}'s merge loop (at addresses
     * relative to the IOVA) in one pass for the common list, where no boundary pad applies.
     * A pad lengthens the entry before it, so the pass first assumes none and checks after:
     * with every aligned length positive (entries are never empty), no pad applies while
     * the whole list fits in one boundary span ({@code iova_len <= mask + 1}), since then
     * no entry ends past the boundary after its start. A longer list takes Linux's loops
     * one after the other ({@link #layPadded}), and {@code __finalise_sg} runs at the real
     * IOVA.
     *
     * @return the IOVA length ({@code iova_len})
     */
    long lay(SgTable sg, int nents, long mask, long gmask, int maxLen) {
        segMask = mask;
        if (maxLen > gmask) {
            long whole = layWholeGranules(sg, nents, mask, gmask, maxLen);
            if (whole >= 0) {
                return whole;
            }
        }
        alenFilledTo = 0; // alen is written below
        long[] phys = this.phys;
        long[] alen = this.alen;
        long[] segRel = this.segRel;
        int[] segLen = this.segLen;
        long total = 0;
        // iommu_map_sg joins an entry to the open run iff it starts where that run ends;
        // with no empty entry a run is always open, and it ends where the previous entry
        // does. -1 matches no aligned address.
        long prevEnd = -1;
        boolean joins = false;
        // __finalise_sg's state, at relative addresses (total is the entry's).
        int segs = 0;
        int curLen = 0;
        int lastLen = 0;
        long curRel = 0;
        for (int i = 0; i < nents; i++) {
            long cpu = sg.cpuPhys(i);
            int l = sg.cpuLength(i);
            long o = cpu & gmask; // iova_offset
            long p = cpu - o;
            long a = (l + o + gmask) & ~gmask; // iova_align
            phys[i] = p;
            alen[i] = a;
            joins |= p == prevEnd;
            prevEnd = p + a;
            // Linux __finalise_sg: max_len - cur_len is unsigned int, wrapping like C's.
            if (curLen != 0 && o == 0 && ((maxLen - curLen) & 0xffff_ffffL) >= (l & 0xffff_ffffL)) {
                // "...then concatenate it with the previous one", unless the address is on
                // a segment boundary (see segmentsHoldAt).
                curLen += l;
            } else {
                // "Otherwise start the next output segment"; the closed one keeps the
                // length it had after its last entry (Linux rewrites it at every entry).
                if (i > 0) {
                    segRel[segs] = curRel;
                    segLen[segs++] = lastLen;
                }
                curLen = l;
                curRel = total + o;
            }
            lastLen = curLen;
            // An entry ending mid-granule closes its segment.
            if (l + o < a) {
                curLen = 0;
            }
            total += a;
        }
        if (mask != -1 && Long.compareUnsigned(total, mask + 1) > 0) {
            return layPadded(sg, nents, mask, gmask);
        }
        segRel[segs] = curRel;
        segLen[segs++] = lastLen;
        return laid(segs, joins, nents, total);
    }

    /**
     * {@link #lay} for a page list: every entry one whole granule at a granule-aligned
     * address (a pinned user buffer, a PRP list), with {@code maxLen} at least a granule.
     * Linux's loops then give: {@code s->offset} 0 and {@code s->length} one granule for
     * each entry, so {@code iova_len} is {@code nents} granules; and in
     * {@code __finalise_sg} no entry ends mid-granule and every entry starts on one, so an
     * entry joins the open segment iff {@code max_len - cur_len >= granule}, where
     * {@code cur_len} is k granules: a segment takes {@code per = max_len / granule}
     * entries, the last one what is left. Runs are found as in {@link #lay}. Checks each
     * entry first and returns -1, changing nothing the caller reads, when any is not such
     * a page or the list is longer than one boundary span (then {@link #lay}'s general
     * pass decides, padding included).
     */
    private long layWholeGranules(SgTable sg, int nents, long mask, long gmask, int maxLen) {
        long granule = gmask + 1;
        long total = nents * granule;
        if (mask != -1 && Long.compareUnsigned(total, mask + 1) > 0) {
            return -1;
        }
        long[] phys = this.phys;
        long prevEnd = -1;
        boolean joins = false;
        long odd = 0; // any bit set: an entry is not one whole aligned granule
        for (int i = 0; i < nents; i++) {
            long cpu = sg.cpuPhys(i);
            odd |= (cpu & gmask) | (sg.cpuLength(i) ^ granule);
            phys[i] = cpu;
            joins |= cpu == prevEnd;
            prevEnd = cpu + granule;
        }
        if (odd != 0) {
            return -1;
        }
        long[] alen = this.alen;
        if (alenFilled != granule || alenFilledTo < nents) {
            Arrays.fill(alen, 0, nents, granule);
            alenFilled = granule;
            alenFilledTo = nents;
        }
        int per = (int) (maxLen / granule);
        int segs = 0;
        for (int first = 0; first < nents; first += per) {
            segRel[segs] = first * granule;
            segLen[segs++] = (int) (Math.min(per, nents - first) * granule);
        }
        return laid(segs, joins, nents, total);
    }

    /**
     * Linux {@code iommu_dma_map_sg}'s sizing loop as written, for a list longer than the
     * segment boundary span: a pad may lengthen the entry before the one that would cross
     * a boundary. Then the run loop; {@code __finalise_sg} is left to the real addresses.
     */
    private long layPadded(SgTable sg, int nents, long mask, long gmask) {
        alenFilledTo = 0; // alen is written below
        long iovaLen = 0;
        for (int i = 0; i < nents; i++) {
            long cpu = sg.cpuPhys(i);
            int l = sg.cpuLength(i);
            long o = cpu & gmask;
            long a = (l + o + gmask) & ~gmask;
            long padLen = (mask - iovaLen + 1) & mask;
            phys[i] = cpu - o;
            alen[i] = a;
            // "If mask size < IOVA size, then the IOVA range must start exactly on a
            // boundary, therefore we can lay things out based purely on segment lengths."
            // Unsigned, as Linux's size_t.
            if (padLen != 0 && Long.compareUnsigned(padLen, a - 1) < 0) {
                alen[i - 1] += padLen;
                iovaLen += padLen;
            }
            iovaLen += a;
        }
        segsKnown = false;
        buildRuns(nents);
        return iovaLen;
    }

    /**
     * Ends a one-pass layout: {@code segs} segments known at relative addresses, and the runs:
     * built when some entry continues the one before it ({@code joins}), else every aligned
     * entry is a run of its own. Returns {@code total}, the IOVA length.
     */
    private long laid(int segs, boolean joins, int nents, long total) {
        this.segs = segs;
        segsKnown = true;
        if (joins) {
            buildRuns(nents);
        } else {
            runPhys = phys;
            runLen = alen;
            runs = nents;
            runTotal = total;
        }
        return total;
    }

    /**
     * Linux {@code iommu_map_sg}'s loop: "if (len && s_phys != start + len)" closes the open
     * run; a run opens at the next entry when none is open.
     */
    private void buildRuns(int nents) {
        long[] rp = runPhysBuf;
        long[] rl = runLenBuf;
        int n = 0;
        long total = 0;
        long len = 0;
        long start = 0;
        for (int i = 0; i < nents; i++) {
            if (len != 0 && phys[i] != start + len) {
                rp[n] = start;
                rl[n++] = len;
                total += len;
                len = 0;
            }
            if (len != 0) {
                len += alen[i];
            } else {
                len = alen[i];
                start = phys[i];
            }
        }
        if (len != 0) {
            rp[n] = start;
            rl[n++] = len;
            total += len;
        }
        runPhys = rp;
        runLen = rl;
        runs = n;
        runTotal = total;
    }

    /**
     * Whether the segments laid at relative addresses are __finalise_sg's at
     * {@code [iova, iova+iovaLen)}: the pass took {@code (dma_addr & seg_mask) != 0} as true
     * wherever a merge asked, which is so when no boundary lies inside the range. A merge
     * asks only at an entry after the first (an open segment needs an entry before it, and
     * every aligned length is positive), so at an address in {@code (iova, iova+iovaLen)};
     * with the whole range in one boundary span every such address has low bits set.
     * Otherwise (rare: iommu-dma's size-aligned IOVAs seldom straddle a boundary)
     * {@code IommuDmaSg.finalise} decides at the real addresses.
     */
    boolean segmentsHoldAt(long iova, long iovaLen) {
        if (!segsKnown || (segMask & (segMask + 1)) != 0) {
            return false; // a padded list, or a mask not 2^k - 1: Linux's loop decides
        }
        return ((iova ^ (iova + iovaLen - 1)) & ~segMask) == 0;
    }
}
