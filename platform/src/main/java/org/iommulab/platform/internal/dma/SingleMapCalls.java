package org.iommulab.platform.internal.dma;

import static org.iommulab.platform.internal.dma.DmaCallContext.first;

import java.util.List;

import org.iommulab.api.admin.Stat;
import org.iommulab.api.checker.Finding;
import org.iommulab.api.checker.FindingKind;
import org.iommulab.api.dma.DmaAttrs;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.dma.DmaMasks;
import org.iommulab.api.platform.PageAllocator;

/**
 * Single and resource mappings of one device's DMA API: {@code dma_map_phys} /
 * {@code dma_map_resource} and their unmaps after Linux's {@code check_unmap}. Arguments were
 * checked by the caller for maps; unmaps check theirs here. A refused unmap raises every finding
 * {@code check_unmap} would, in its order, and throws the first one's message; nothing changes.
 */
final class SingleMapCalls {
    private final DmaCallContext c;

    SingleMapCalls(DmaCallContext c) {
        this.c = c;
    }

    /**
     * Maps after the caller checked the arguments and that the memory exists; a streaming
     * mapping larger than {@code dma_max_mapping_size()} is refused here, before the backend.
     */
    long map(String call, MappingType type, long phys, long size, DmaDirection dir, int attrs) {
        List<Finding> out = null;
        long dma;
        c.enterCreating(call);
        c.sim.chargeCall();
        try {
            // dma_max_mapping_size() is never below a page (swiotlb's is 256 KiB less the
            // min_align_mask padding; dma-direct and iommu-dma have none), so a mapping of at most
            // a page skips the backend's answer, which on dma-direct walks the RAM layout.
            if (size > PageAllocator.PAGE_SIZE && type == MappingType.SINGLE && !DmaAttrs.has(attrs, DmaAttrs.MMIO)) {
                DmaArgs.maxSize(call, size, c.ops.maxMappingSize(), c.backend);
            }
            dma = type == MappingType.PHYS ? c.ops.mapResource(phys, size, dir, attrs) : c.ops.mapPhys(phys, size, dir, attrs);
            if (dma == DmaMasks.MAPPING_ERROR) {
                c.stats.increment(Stat.MAP_FAILURES);
                return dma;
            }
            synchronized (c.table) {
                int e = c.table.add(type, dma, size, dir, phys, attrs);
                out = c.checker.mapped(e, c, out);
                // Counted under the table's lock, which every writer of these stats holds.
                c.stats.addLocked(Stat.MAPS, 1);
                c.stats.addLocked(Stat.MAPPED_BYTES, size);
            }
        } finally {
            c.gate.exit();
            c.deliver(out);
        }
        return dma;
    }

    /**
     * Linux {@code check_unmap}, then the backend's unmap. A misused unmap of a live mapping is
     * refused (nothing changes, it throws) or, when the device's checker policy is REPORT,
     * reported and carried out with the caller's arguments, as dma-debug lets it through; one
     * that names no live mapping has nothing to carry out.
     */
    void unmap(String call, MappingType type, long dmaAddr, long size, DmaDirection dir, int attrs) {
        c.live();
        DmaArgs.size(call, size);
        DmaArgs.direction(call, dir);
        DmaArgs.attrs(call, attrs);
        c.enterReleasing();
        c.sim.chargeCall();
        Unmapped r = null;
        try {
            if (dmaAddr != DmaMasks.MAPPING_ERROR) {
                DmaArgs.dmaRange(call, dmaAddr, size);
                if (releaseExact(type, dmaAddr, size, dir)) {
                    unmapInBackend(type, dmaAddr, size, dir, attrs);
                    return;
                }
            }
            r = new Unmapped();
            checkedUnmap(r, call, type, dmaAddr, size, dir, attrs);
        } finally {
            c.gate.exit();
            c.deliver(r == null ? null : r.out);
        }
        if (r.refusal != null && !c.checker.carriesOutMisuse()) {
            throw c.refused(r.refusal);
        }
    }

    /** What {@link #checkedUnmap} found: the findings to deliver and the refusal, if any. */
    private static final class Unmapped {
        List<Finding> out;
        String refusal;
    }

    /**
     * The common unmap, in a method of its own so that the JIT compiles it apart from the
     * misuse reports: the driver names a live mapping exactly (address, size, type, direction)
     * and nothing is to be reported, so {@code check_unmap} finds nothing and the entry goes.
     *
     * @return true when released; false changes nothing and leaves the call to {@link #checkedUnmap}
     */
    private boolean releaseExact(MappingType type, long dmaAddr, long size, DmaDirection dir) {
        synchronized (c.table) {
            int e = c.table.bestAt(dmaAddr, type, size, dir);
            if (e < 0 || c.table.size(e) != size || c.table.type(e) != type || c.table.dir(e) != dir
                    || (!c.table.errorChecked(e) && c.checker.enabled())) {
                return false;
            }
            c.checker.released(c.table, e);
            c.table.remove(e);
            // Released here, carried out by the caller: counted under the table's lock.
            c.stats.addLocked(Stat.UNMAPS, 1);
            return true;
        }
    }

    /**
     * Linux {@code check_unmap} with everything it may report, then the backend's unmap when the
     * call goes through; collects the findings and the refusal in {@code r} as it goes, so that
     * the caller delivers them even when the backend throws.
     */
    private void checkedUnmap(Unmapped r, String call, MappingType type, long dmaAddr, long size, DmaDirection dir,
            int attrs) {
        List<Finding> out = null;
        String refusal = null;
        boolean carryOut = false;
        try {
            if (dmaAddr == DmaMasks.MAPPING_ERROR) {
                refusal = DmaDebug.freeInvalidAddress();
                out = c.raise(out, FindingKind.UNMAP_INVALID_ADDRESS, refusal, dmaAddr, size, dir, LiveMappings.NONE);
            } else {
                DmaArgs.dmaRange(call, dmaAddr, size);
                synchronized (c.table) {
                    int e = c.table.bestAt(dmaAddr, type, size, dir);
                    if (e < 0) {
                        refusal = DmaDebug.freeNotAllocated(dmaAddr, size);
                        out = c.raise(out, FindingKind.UNMAP_NOT_MAPPED, refusal, dmaAddr, size, dir, LiveMappings.NONE);
                    } else {
                        if (c.table.size(e) != size) {
                            String m = DmaDebug.freeDifferentSize(dmaAddr, c.table.size(e), size);
                            refusal = first(refusal, m);
                            out = c.raise(out, FindingKind.UNMAP_SIZE_MISMATCH, m, c.table.dmaAddr(e), c.table.size(e), c.table.dir(e), e);
                        }
                        if (c.table.type(e) != type) {
                            String m = DmaDebug.freeWrongFunction(dmaAddr, size, c.table.type(e), type);
                            refusal = first(refusal, m);
                            out = c.raise(out, FindingKind.UNMAP_WRONG_FUNCTION, m, c.table.dmaAddr(e), c.table.size(e), c.table.dir(e), e);
                        }
                        if (c.table.dir(e) != dir) {
                            String m = DmaDebug.freeDifferentDirection(dmaAddr, size, c.table.dir(e), dir);
                            refusal = first(refusal, m);
                            out = c.raise(out, FindingKind.UNMAP_DIRECTION_MISMATCH, m, c.table.dmaAddr(e), c.table.size(e), c.table.dir(e), e);
                        }
                        carryOut = refusal != null && c.checker.carriesOutMisuse();
                        if (refusal == null || carryOut) {
                            // Raised only when the unmap goes through, so a refused unmap retried right is reported once.
                            if (!c.table.errorChecked(e) && c.checker.enabled()) {
                                out = c.raise(out, FindingKind.MAP_ERROR_NOT_CHECKED,
                                        DmaDebug.mapErrorNotChecked(c.table.dmaAddr(e), c.table.size(e), c.table.type(e)), c.table.dmaAddr(e), c.table.size(e), c.table.dir(e), e);
                            }
                            c.checker.released(c.table, e);
                            c.table.remove(e);
                            // Released here, carried out below: counted under the table's lock.
                            c.stats.addLocked(Stat.UNMAPS, 1);
                        }
                    }
                }
            }
            if (refusal == null) {
                unmapInBackend(type, dmaAddr, size, dir, attrs);
            } else if (carryOut) {
                // dma-debug reported it; Linux's unmap goes on with what the driver passed.
                c.carryOut(call, () -> unmapInBackend(type, dmaAddr, size, dir, attrs));
            }
        } finally {
            r.out = out;
            r.refusal = refusal;
        }
    }

    private void unmapInBackend(MappingType type, long dmaAddr, long size, DmaDirection dir, int attrs) {
        if (type == MappingType.PHYS) {
            c.ops.unmapResource(dmaAddr, size, dir, attrs);
        } else {
            c.ops.unmapPhys(dmaAddr, size, dir, attrs);
        }
    }
}
