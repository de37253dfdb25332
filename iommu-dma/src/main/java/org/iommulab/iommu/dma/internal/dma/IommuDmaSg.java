package org.iommulab.iommu.dma.internal.dma;

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
    private final ThreadLocal<IommuDmaSgLayout> scratch = ThreadLocal.withInitial(IommuDmaSgLayout::new);
    /**
     * The first thread's layout, used again by that thread without the ThreadLocal lookup. Set
     * once, never rewritten: threads taking turns on one device would otherwise write it on
     * every call and move its cache line between cores each time. A plain field: a stale or
     * racy value only costs the lookup, since a layout is used only by its
     * {@link IommuDmaSgLayout#owner} (final, so seen as written).
     */
    private IommuDmaSgLayout firstLayout;

    IommuDmaSg(IommuDmaOps ops) {
        this.ops = ops;
    }

    /**
     * Linux {@code iommu_dma_map_sg}. Returns the DMA segment count or a negative errno.
     *
     * <p>Linux walks the list three times: to size and align it, in {@code iommu_map_sg} to
     * find the physically contiguous runs, and in {@code __finalise_sg} to merge the segments.
     * Here one pass does all three for the common list ({@link IommuDmaSgLayout#lay}), with exactly
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
        IommuDmaSgLayout s = layout().ensure(nents);
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

    /** The calling thread's layout. */
    IommuDmaSgLayout layout() {
        IommuDmaSgLayout s = firstLayout;
        if (s != null && s.owner == Thread.currentThread()) {
            return s;
        }
        s = scratch.get();
        if (firstLayout == null) {
            firstLayout = s;
        }
        return s;
    }

    /**
     * Linux {@code __finalise_sg}: restores the entries and writes the DMA view. An entry joins
     * the current segment iff the segment is open, the entry starts on a granule, the running
     * address is not on a segment boundary and the merged length stays within the max segment
     * size; an entry ending mid-granule closes its segment. Unused slots are left as
     * {@code DMA_MAPPING_ERROR}/0.
     */
    private int finalise(SgTable sg, int nents, long dmaAddr, IommuDmaSgLayout s) {
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
}
