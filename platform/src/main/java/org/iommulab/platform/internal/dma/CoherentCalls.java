package org.iommulab.platform.internal.dma;

import static org.iommulab.platform.internal.dma.DmaCallContext.first;

import java.util.List;

import org.iommulab.api.admin.Stat;
import org.iommulab.api.checker.Finding;
import org.iommulab.api.checker.FindingKind;
import org.iommulab.api.dma.CoherentAllocation;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.dma.DmaMasks;

/**
 * Coherent buffers of one device's DMA API: {@code dma_alloc_attrs} (dma-debug tracks the buffer
 * as a BIDIRECTIONAL entry, cache line included) and {@code dma_free_coherent} after
 * {@code check_unmap} in its order: size, then function or (same function) CPU address, then
 * direction (a coherent free is BIDIRECTIONAL, so freeing a streaming mapping this way reports
 * both, as Linux does).
 */
final class CoherentCalls {
    private static final String ALLOC = "dma_alloc_attrs";
    private static final String FREE = "dma_free_coherent";

    private final DmaCallContext c;

    CoherentCalls(DmaCallContext c) {
        this.c = c;
    }

    CoherentAllocation alloc(long size, int attrs) {
        c.live();
        DmaArgs.size(ALLOC, size);
        DmaArgs.attrs(ALLOC, attrs);
        List<Finding> out = null;
        c.enterCreating(ALLOC);
        c.sim.chargeCall();
        try {
            CoherentAllocation buf = c.ops.allocCoherent(size, attrs);
            if (buf == null) {
                c.stats.increment(Stat.MAP_FAILURES);
                return null;
            }
            synchronized (c.table) {
                int e = c.table.add(MappingType.COHERENT, buf.dmaHandle(), size, DmaDirection.BIDIRECTIONAL,
                        buf.cpuAddress(), attrs);
                c.table.setCoherent(e, buf);
                out = c.checker.mapped(e, c, out);
            }
            c.stats.increment(Stat.COHERENT_ALLOCS);
            return buf;
        } finally {
            c.gate.exit();
            c.deliver(out);
        }
    }

    /** Linux {@code dma_free_coherent} after {@code check_unmap} of the buffer. */
    void free(long size, long cpuAddress, long dmaHandle) {
        c.live();
        DmaArgs.size(FREE, size);
        List<Finding> out = null;
        String refusal = null;
        boolean carryOut = false;
        CoherentAllocation buf = null;
        DmaDirection bidi = DmaDirection.BIDIRECTIONAL;
        c.enterReleasing();
        c.sim.chargeCall();
        try {
            if (dmaHandle == DmaMasks.MAPPING_ERROR) {
                refusal = DmaDebug.freeInvalidAddress();
                out = c.raise(out, FindingKind.UNMAP_INVALID_ADDRESS, refusal, dmaHandle, size, bidi, LiveMappings.NONE);
            } else {
                synchronized (c.table) {
                    int e = c.table.bestAt(dmaHandle, MappingType.COHERENT, size, bidi);
                    if (e < 0) {
                        refusal = DmaDebug.freeNotAllocated(dmaHandle, size);
                        out = c.raise(out, FindingKind.UNMAP_NOT_MAPPED, refusal, dmaHandle, size, bidi, LiveMappings.NONE);
                    } else {
                        if (c.table.size(e) != size) {
                            String m = DmaDebug.freeDifferentSize(dmaHandle, c.table.size(e), size);
                            refusal = first(refusal, m);
                            out = c.raise(out, FindingKind.UNMAP_SIZE_MISMATCH, m, c.table.dmaAddr(e), c.table.size(e), c.table.dir(e), e);
                        }
                        if (c.table.type(e) != MappingType.COHERENT) {
                            String m = DmaDebug.freeWrongFunction(dmaHandle, size, c.table.type(e), MappingType.COHERENT);
                            refusal = first(refusal, m);
                            out = c.raise(out, FindingKind.UNMAP_WRONG_FUNCTION, m, c.table.dmaAddr(e), c.table.size(e), c.table.dir(e), e);
                        } else if (c.table.cpuAddr(e) != cpuAddress) {
                            String m = DmaDebug.freeDifferentCpuAddress(dmaHandle, size, c.table.cpuAddr(e), cpuAddress);
                            refusal = first(refusal, m);
                            out = c.raise(out, FindingKind.UNMAP_CPU_ADDRESS_MISMATCH, m, c.table.dmaAddr(e), c.table.size(e), c.table.dir(e), e);
                        }
                        if (c.table.dir(e) != bidi) {
                            String m = DmaDebug.freeDifferentDirection(dmaHandle, size, c.table.dir(e), bidi);
                            refusal = first(refusal, m);
                            out = c.raise(out, FindingKind.UNMAP_DIRECTION_MISMATCH, m, c.table.dmaAddr(e), c.table.size(e), c.table.dir(e), e);
                        }
                        // A coherent buffer is freed whole, whatever size or CPU address the
                        // driver gave (the backend's free takes the allocation itself), so REPORT
                        // carries out a free of another function's mapping by that mapping's own kind.
                        carryOut = refusal != null && c.checker.carriesOutMisuse();
                        if (refusal == null || carryOut && c.table.type(e) == MappingType.COHERENT) {
                            buf = c.table.coherent(e);
                            c.checker.released(c.table, e);
                            c.table.remove(e);
                        } else {
                            carryOut = false;
                        }
                    }
                }
            }
            if (refusal == null) {
                c.ops.freeCoherent(buf);
                c.stats.increment(Stat.COHERENT_FREES);
            } else if (carryOut) {
                CoherentAllocation b = buf;
                c.carryOut(FREE, () -> c.ops.freeCoherent(b));
                c.stats.increment(Stat.COHERENT_FREES);
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
