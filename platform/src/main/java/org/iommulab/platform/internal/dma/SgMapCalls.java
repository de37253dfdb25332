package org.iommulab.platform.internal.dma;

import static org.iommulab.platform.internal.dma.DmaCallContext.first;
import static org.iommulab.platform.internal.dma.DmaCallContext.sgBytes;

import java.util.List;

import org.iommulab.api.admin.Stat;
import org.iommulab.api.checker.Finding;
import org.iommulab.api.checker.FindingKind;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.dma.DmaErrno;
import org.iommulab.api.dma.DmaMasks;
import org.iommulab.api.dma.SgTable;

/**
 * Scatter-gather mappings of one device's DMA API: Linux {@code __dma_map_sg_attrs} (with
 * dma-debug's {@code debug_dma_map_sg}: cache lines, {@code check_sg_segment}) and
 * {@code dma_unmap_sg_attrs} after {@code check_unmap} of the table's entry. The platform keeps
 * one entry per mapped table (dma-debug keeps one per DMA segment), found by the table itself.
 */
final class SgMapCalls {
    private final DmaCallContext c;

    SgMapCalls(DmaCallContext c) {
        this.c = c;
    }

    /**
     * Linux {@code __dma_map_sg_attrs}: the backend's segment count, or its errno when that is
     * one of the four a mapping may return, else {@code -EIO} with a one-time warning (Linux's
     * {@code WARN_ON_ONCE}).
     */
    int map(String call, SgTable sg, int nents, DmaDirection dir, int attrs) {
        DmaArgs.sg(call, sg, nents);
        DmaArgs.direction(call, dir);
        DmaArgs.attrs(call, attrs);
        if (sg.isMapped()) {
            String m = DmaDebug.sgAlreadyMapped(sg.dmaAddressField(0), sg.nents());
            List<Finding> out = c.raise(null, FindingKind.SG_ALREADY_MAPPED, m, sg.dmaAddressField(0),
                    sgBytes(sg, sg.origNents()), dir, LiveMappings.NONE);
            c.deliver(out);
            throw c.refused(m);
        }
        DmaArgs.sgExists(call, c.addresses, sg, nents);
        List<Finding> out = null;
        c.enterCreating(call);
        c.sim.chargeCall();
        try {
            int r = c.ops.mapSg(sg, nents, dir, attrs);
            if (r > 0 && r <= nents) {
                if (sg.nents() != r) {
                    sg.setNents(r);
                }
                long bytes = sgBytes(sg, nents);
                synchronized (c.table) {
                    int e = c.table.add(MappingType.SCATTER_GATHER, sg.dmaAddressField(0), bytes, dir, sg.cpuPhys(0), attrs);
                    c.table.setSg(e, sg, nents, r);
                    out = c.checker.mapped(e, c, out);
                    c.stats.addLocked(Stat.MAPPED_BYTES, bytes); // under the table's lock, as every writer of it
                }
                c.stats.increment(Stat.SG_MAPS);
                c.stats.add(Stat.SG_ENTRIES, nents);
                c.stats.add(Stat.SG_SEGMENTS, r);
                return r;
            }
            if (r > nents) {
                // A backend bug: more segments than entries cannot be recorded; say so loudly.
                throw new IllegalStateException("backend " + c.backend + " returned " + r + " DMA segments for "
                        + nents + " sg entries of " + c.descriptor.name());
            }
            if (sg.nents() != 0) {
                sg.setNents(0);
            }
            c.stats.increment(Stat.MAP_FAILURES);
            if (DmaErrno.isMappingStatus(r)) {
                return r;
            }
            if (!c.warnedSgStatus) {
                c.warnedSgStatus = true;
                c.log.accept("WARNING: backend " + c.backend + " map_sg returned " + r
                        + ", not -EINVAL, -ENOMEM, -EIO or -EREMOTEIO; returning -EIO (Linux __dma_map_sg_attrs WARN_ON_ONCE)");
            }
            return DmaErrno.EIO;
        } finally {
            c.gate.exit();
            c.deliver(out);
        }
    }

    /** Linux {@code dma_unmap_sg_attrs}, after {@code check_unmap} of the table's entry. */
    void unmap(String call, SgTable sg, int nents, DmaDirection dir, int attrs) {
        DmaArgs.sg(call, sg, nents);
        DmaArgs.direction(call, dir);
        DmaArgs.attrs(call, attrs);
        List<Finding> out = null;
        String refusal = null;
        boolean carryOut = false;
        c.enterReleasing();
        c.sim.chargeCall();
        try {
            synchronized (c.table) {
                int e = c.table.sgEntry(sg);
                if (e < 0) {
                    long first = sg.dmaAddressField(0);
                    long bytes = sgBytes(sg, nents);
                    if (first == DmaMasks.MAPPING_ERROR) {
                        refusal = DmaDebug.freeInvalidAddress();
                        out = c.raise(out, FindingKind.UNMAP_INVALID_ADDRESS, refusal, first, bytes, dir, LiveMappings.NONE);
                    } else {
                        refusal = DmaDebug.freeNotAllocated(first, bytes);
                        out = c.raise(out, FindingKind.UNMAP_NOT_MAPPED, refusal, first, bytes, dir, LiveMappings.NONE);
                    }
                } else {
                    // check_unmap's order: size and function cannot differ for a table's own entry.
                    if (c.table.callNents(e) != nents) {
                        String m = DmaDebug.freeDifferentSgCount(c.table.callNents(e), nents);
                        refusal = first(refusal, m);
                        out = c.raise(out, FindingKind.UNMAP_SG_COUNT_MISMATCH, m, c.table.dmaAddr(e), c.table.size(e), c.table.dir(e), e);
                    }
                    if (c.table.dir(e) != dir) {
                        String m = DmaDebug.freeDifferentDirection(c.table.dmaAddr(e), c.table.size(e), c.table.dir(e), dir);
                        refusal = first(refusal, m);
                        out = c.raise(out, FindingKind.UNMAP_DIRECTION_MISMATCH, m, c.table.dmaAddr(e), c.table.size(e), c.table.dir(e), e);
                    }
                    carryOut = refusal != null && c.checker.carriesOutMisuse();
                    if (refusal == null || carryOut) {
                        c.checker.released(c.table, e);
                        c.table.remove(e);
                    }
                }
            }
            if (refusal == null || carryOut) {
                if (refusal == null) {
                    c.ops.unmapSg(sg, nents, dir, attrs);
                } else {
                    // Under REPORT a misused unmap goes on with the caller's count and direction.
                    c.carryOut(call, () -> c.ops.unmapSg(sg, nents, dir, attrs));
                }
                if (sg.nents() != 0) {
                    sg.setNents(0);
                }
                c.stats.increment(Stat.SG_UNMAPS);
            }
        } finally {
            c.gate.exit();
            c.deliver(out);
        }
        if (refusal != null && !c.checker.carriesOutMisuse()) {
            throw c.refused(refusal);
        }
    }
}
