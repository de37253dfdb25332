package org.iommulab.iommu.dma.internal.dma;

import java.util.Arrays;

import org.iommulab.api.dma.DmaAttrs;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.dma.DmaErrno;
import org.iommulab.api.dma.DmaMasks;
import org.iommulab.api.dma.SgTable;
import org.iommulab.iommu.dma.internal.iova.IovaDomain;

/**
 * The scatter-gather half of iommu-dma, Linux {@code iommu_dma_map_sg}, {@code __finalise_sg},
 * {@code __invalidate_sg}, {@code iommu_dma_unmap_sg} and their swiotlb variants, with
 * {@code iommu_map_sg} from {@code drivers/iommu/iommu.c}.
 *
 * <p>Linux rewrites each entry's offset and length in place while it maps and stashes the
 * originals in the DMA fields; this model's CPU view is immutable, so the aligned layout lives
 * in per-thread scratch arrays instead, with the same values. An entry's IOVA offset is taken
 * from its physical address, which equals Linux's {@code iova_offset(s->offset)} whenever the
 * granule is at most the CPU page size, and models a kernel whose page size is the granule
 * otherwise (64 KiB granule lists).
 */
final class IommuDmaSg {
    private final IommuDmaOps ops;
    private final ThreadLocal<Layout> scratch = ThreadLocal.withInitial(Layout::new);

    IommuDmaSg(IommuDmaOps ops) {
        this.ops = ops;
    }

    /**
     * Linux {@code iommu_dma_map_sg}. Returns the DMA segment count or a negative errno.
     *
     * <p>Linux walks the list three times: to size and align it, in {@code iommu_map_sg} to
     * find the physically contiguous runs, and in {@code __finalise_sg} to merge the segments.
     * Here one pass does all three for the common list ({@link Layout#lay}), with exactly
     * Linux's values. The one input of {@code __finalise_sg} the pass cannot know is the IOVA,
     * used only to ask whether an address lies on a segment boundary; the pass assumes none
     * does, which holds when the allocated range lies in one boundary span. When it does not,
     * {@link #finalise} runs Linux's loop again with the real addresses.
     */
    int map(SgTable sg, int nents, DmaDirection dir, int attrs) {
        if (ops.untrusted()) {
            return mapSwiotlb(sg, nents, dir, attrs);
        }
        IovaDomain iovad = ops.iovaDomain();
        int prot = IommuDmaOps.prot(dir, ops.coherent(), attrs);
        long mask = ops.device().descriptor().segmentBoundaryMask();
        Layout s = scratch.get().ensure(nents);
        long iovaLen = s.lay(sg, nents, mask, iovad.mask(), (int) ops.device().descriptor().maxSegmentSize());
        if (iovaLen == 0) {
            return finalise(sg, nents, 0, s);
        }
        if (!ops.iovaSpace().fitsAperture(iovaLen)) {
            ops.warn(attrs, String.format("iommu-dma: a %d-byte scatterlist does not fit the domain's aperture %s", iovaLen,
                    ops.iovaSpace().aperture()));
            sg.invalidateDma();
            return DmaErrno.EINVAL;
        }
        long iova = ops.iovaSpace().alloc(iovaLen, ops.device().dmaMask());
        if (iova == 0) {
            ops.warn(attrs, String.format("iommu-dma: no IOVA space for a %d-byte scatterlist within mask 0x%x", iovaLen,
                    ops.device().dmaMask()));
            sg.invalidateDma();
            return DmaErrno.ENOMEM;
        }
        if (!ops.iovaSpace().inAperture(iova, iovaLen)) {
            ops.iovaSpace().free(iova, iovaLen, null);
            ops.warn(attrs, String.format("iommu-dma: IOVA 0x%x+0x%x lies outside the domain's aperture %s; not mapped", iova,
                    iovaLen, ops.iovaSpace().aperture()));
            sg.invalidateDma();
            return DmaErrno.EINVAL;
        }
        // Linux iommu_map_sg: "We'll leave any physical concatenation to the IOMMU driver's
        // implementation - it knows better than we do." One __iommu_map per physically
        // contiguous run, handed to the domain as one list (IommuDomain.mapRuns); on failure
        // the domain has unmapped what it mapped (with an IOTLB sync, as iommu_unmap does).
        int rc = ops.domain().mapRuns(iova, s.runPhys, s.runLen, s.runs, prot);
        long ret = rc != 0 ? rc : s.runTotal;
        if (ret < 0 || ret < iovaLen) {
            ops.iovaSpace().free(iova, iovaLen, null);
            sg.invalidateDma();
            ops.warn(attrs, String.format("iommu-dma: mapping a %d-entry scatterlist at IOVA 0x%x failed (%d)", nents, iova,
                    ret));
            return ret == DmaErrno.ENOMEM || ret == DmaErrno.EREMOTEIO ? (int) ret : DmaErrno.EINVAL;
        }
        if (!s.segmentsHoldAt(iova, iovaLen)) {
            return finalise(sg, nents, iova, s);
        }
        // __finalise_sg's result: the segments, then every later slot of the nents mapped
        // DMA_MAPPING_ERROR/0. When those are all the table's slots, they are cleared at once
        // (as __invalidate_sg would) and the segments written over them.
        int count = s.segs;
        if (nents == sg.origNents()) {
            sg.invalidateDma();
        } else {
            for (int k = count; k < nents; k++) {
                sg.setDmaSegment(k, DmaMasks.MAPPING_ERROR, 0);
            }
        }
        for (int k = 0; k < count; k++) {
            sg.setDmaSegment(k, iova + s.segRel[k], s.segLen[k]);
        }
        sg.setNents(count);
        return count;
    }

    /**
     * Linux {@code __finalise_sg}: restores the entries and writes the DMA view. An entry joins
     * the current segment iff the segment is open, the entry starts on a granule, the running
     * address is not on a segment boundary and the merged length stays within the max segment
     * size; an entry ending mid-granule closes its segment. Unused slots are left as
     * {@code DMA_MAPPING_ERROR}/0.
     */
    private int finalise(SgTable sg, int nents, long dmaAddr, Layout s) {
        long segMask = ops.device().descriptor().segmentBoundaryMask();
        // unsigned int in Linux: max_len - cur_len wraps like C's when an entry exceeds max_len.
        int maxLen = (int) ops.device().descriptor().maxSegmentSize();
        long gmask = ops.iovaDomain().mask();
        int curLen = 0;
        int segLen = 0;
        int cur = 0;
        long curAddr = 0;
        int count = 0;
        for (int i = 0; i < nents; i++) {
            long sIovaOff = sg.cpuPhys(i) & gmask; // iova_offset, as lay's
            int sLength = sg.cpuLength(i);
            long sIovaLen = s.alen[i];
            sg.setDmaSegment(i, DmaMasks.MAPPING_ERROR, 0);
            if (curLen != 0 && sIovaOff == 0 && (dmaAddr & segMask) != 0
                    && Integer.compareUnsigned(maxLen - curLen, sLength) >= 0) {
                // "...then concatenate it with the previous one"
                curLen += sLength;
            } else {
                // "Otherwise start the next output segment"
                if (i > 0) {
                    // Linux writes the current segment at every entry; only its last value
                    // survives, so it is written once, when the segment is closed (slot cur
                    // is below i, and the later resets only touch slots from i on).
                    sg.setDmaSegment(cur, curAddr, segLen);
                    cur++;
                }
                curLen = sLength;
                count++;
                curAddr = dmaAddr + sIovaOff;
            }
            segLen = curLen;
            dmaAddr += sIovaLen;
            if (sLength + sIovaOff < sIovaLen) {
                curLen = 0;
            }
        }
        if (nents > 0) {
            sg.setDmaSegment(cur, curAddr, segLen);
        }
        sg.setNents(count);
        return count;
    }

    /** Linux {@code iommu_dma_map_sg_swiotlb}: untrusted devices map entry by entry, no merging. */
    private int mapSwiotlb(SgTable sg, int nents, DmaDirection dir, int attrs) {
        for (int i = 0; i < nents; i++) {
            long addr = ops.mapPhys(sg.cpuPhys(i), sg.cpuLength(i), dir, attrs);
            if (addr == DmaMasks.MAPPING_ERROR) {
                for (int j = 0; j < i; j++) {
                    ops.unmapPhys(sg.dmaAddressField(j), sg.dmaLengthField(j), dir, attrs | DmaAttrs.SKIP_CPU_SYNC);
                }
                sg.invalidateDma();
                return DmaErrno.EIO;
            }
            sg.setDmaSegment(i, addr, sg.cpuLength(i));
        }
        sg.setNents(nents);
        return nents;
    }

    /** Linux {@code iommu_dma_unmap_sg}: one range from the first segment to the end of the last. */
    void unmap(SgTable sg, int nents, DmaDirection dir, int attrs) {
        if (ops.untrusted()) {
            // iommu_dma_unmap_sg_swiotlb
            for (int i = 0; i < nents; i++) {
                if (sg.dmaLengthField(i) != 0) {
                    ops.unmapPhys(sg.dmaAddressField(i), sg.dmaLengthField(i), dir, attrs);
                }
            }
            sg.setNents(0);
            return;
        }
        int i = 0;
        while (i < nents && sg.dmaLengthField(i) == 0) {
            i++;
        }
        if (i < nents) {
            long start = sg.dmaAddressField(i);
            long end = 0;
            for (; i < nents && sg.dmaLengthField(i) != 0; i++) {
                end = sg.dmaAddressField(i) + Integer.toUnsignedLong(sg.dmaLengthField(i));
            }
            if (end != 0) {
                ops.unmap(start, end - start);
            }
        }
        sg.setNents(0);
    }

    /**
     * Linux {@code iommu_dma_sync_sg_for_cpu}: only the swiotlb path has work, entry by entry
     * through the single sync (as {@code iommu_dma_sync_single_for_cpu} per entry).
     */
    void syncForCpu(SgTable sg, int nents, DmaDirection dir) {
        if (ops.untrusted()) {
            for (int i = 0; i < nents; i++) {
                ops.syncSingleForCpu(sg.dmaAddressField(i), sg.cpuLength(i), dir);
            }
        }
    }

    /** Linux {@code iommu_dma_sync_sg_for_device}, the mirror of {@link #syncForCpu}. */
    void syncForDevice(SgTable sg, int nents, DmaDirection dir) {
        if (ops.untrusted()) {
            for (int i = 0; i < nents; i++) {
                ops.syncSingleForDevice(sg.dmaAddressField(i), sg.cpuLength(i), dir);
            }
        }
    }

    /** The argument checks of the sg entry points (Linux's dma-debug and WARN_ONs, as exceptions). */
    static void check(SgTable table, int nents, DmaDirection dir) {
        if (table == null) {
            throw new IllegalArgumentException("sg table must not be null");
        }
        if (nents < 1 || nents > table.origNents()) {
            throw new IllegalArgumentException("nents " + nents + " outside 1.." + table.origNents());
        }
        if (dir == null || !dir.isValidForMapping()) {
            throw new IllegalArgumentException("mapping direction must be one of BIDIRECTIONAL, TO_DEVICE, FROM_DEVICE, got "
                    + dir);
        }
    }

    /**
     * Per-thread working arrays: the aligned layout Linux keeps in the entries themselves
     * ({@code s->offset}, {@code s->length} after {@code iommu_dma_map_sg}'s first loop), the
     * physically contiguous runs of {@code iommu_map_sg} and the segments of
     * {@code __finalise_sg} at addresses relative to the IOVA, all from {@link #lay}.
     */
    private static final class Layout {
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

        Layout ensure(int n) {
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
            this.segs = segs;
            segsKnown = true;
            if (joins) {
                buildRuns(nents);
            } else {
                // Every entry is a run of its own: the aligned entries are the runs.
                runPhys = phys;
                runLen = alen;
                runs = nents;
                runTotal = total;
            }
            return total;
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
         * {@link IommuDmaSg#finalise} decides at the real addresses.
         */
        boolean segmentsHoldAt(long iova, long iovaLen) {
            if (!segsKnown || (segMask & (segMask + 1)) != 0) {
                return false; // a padded list, or a mask not 2^k - 1: Linux's loop decides
            }
            return ((iova ^ (iova + iovaLen - 1)) & ~segMask) == 0;
        }
    }
}
