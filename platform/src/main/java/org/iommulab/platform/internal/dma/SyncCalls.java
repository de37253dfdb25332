package org.iommulab.platform.internal.dma;

import static org.iommulab.platform.internal.dma.DmaCallContext.first;
import static org.iommulab.platform.internal.dma.DmaCallContext.sgBytes;

import java.util.List;

import org.iommulab.api.admin.Stat;
import org.iommulab.api.checker.Finding;
import org.iommulab.api.checker.FindingKind;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.dma.SgTable;

/**
 * Syncs of one device's DMA API after Linux's {@code check_sync}, in its order: not mapped;
 * outside the mapping; and, unless the mapping is BIDIRECTIONAL, another direction, device
 * read-only memory synced for the CPU (a TO_DEVICE mapping synced for the CPU with a direction
 * other than TO_DEVICE) and device write-only memory synced to the device (a FROM_DEVICE
 * mapping synced for the device with a direction other than FROM_DEVICE); then, for sg, another
 * entry count. The last two only ever come with "different direction", as in Linux. Unlike
 * Linux (which only warns), the platform refuses such a sync before the backend sees it, with
 * the first finding's message. The sg count is checked for BIDIRECTIONAL tables too (Linux's
 * early exit for BIDIRECTIONAL skips it; the platform refuses the call either way). A sync that
 * passes changes who owns the buffer ({@link DeviceChecker}).
 */
final class SyncCalls {
    private final DmaCallContext c;

    SyncCalls(DmaCallContext c) {
        this.c = c;
    }

    /** {@code check_sync} on the mapping containing {@code dmaAddr}, then the backend's sync. */
    void single(String call, boolean forCpu, long dmaAddr, long size, DmaDirection dir) {
        c.live();
        DmaArgs.direction(call, dir);
        DmaArgs.dmaRange(call, dmaAddr, size);
        List<Finding> out = null;
        String refusal = null;
        String coherent = null;
        boolean carryOut = false;
        c.enterReleasing();
        c.sim.chargeCall();
        try {
            synchronized (c.table) {
                int e = c.table.containing(dmaAddr);
                if (e < 0) {
                    refusal = DmaDebug.syncNotAllocated(dmaAddr, size);
                    out = c.raise(out, FindingKind.SYNC_NOT_MAPPED, refusal, dmaAddr, size, dir, LiveMappings.NONE);
                } else if (c.table.type(e) == MappingType.COHERENT) {
                    // The model's own rule (Linux finds the coherent entry and says nothing): no finding kind.
                    coherent = DmaDebug.syncCoherent(dmaAddr, size);
                } else {
                    long offsetPlusSize = dmaAddr - c.table.dmaAddr(e) + size;
                    if (Long.compareUnsigned(offsetPlusSize, c.table.size(e)) > 0) {
                        String m = DmaDebug.syncOutsideRange(c.table.dmaAddr(e), c.table.size(e), offsetPlusSize);
                        refusal = first(refusal, m);
                        out = c.raise(out, FindingKind.SYNC_OUT_OF_RANGE, m, c.table.dmaAddr(e), c.table.size(e), c.table.dir(e), e);
                    }
                    String m = directionChecks(e, forCpu, dmaAddr, dir);
                    refusal = first(refusal, m);
                    if (m != null) {
                        out = directionFindings(out, e, forCpu, dmaAddr, dir);
                    }
                    carryOut = refusal != null && c.checker.carriesOutMisuse();
                    if (refusal == null || carryOut) {
                        c.checker.syncedSingle(c.table, e, forCpu, dmaAddr, size);
                    }
                }
            }
            if (refusal == null && coherent == null) {
                syncSingle(forCpu, dmaAddr, size, dir);
                c.stats.increment(Stat.SYNCS);
            } else if (carryOut) {
                // check_sync reported it; Linux's sync goes on with what the driver passed.
                c.carryOut(call, () -> syncSingle(forCpu, dmaAddr, size, dir));
                c.stats.increment(Stat.SYNCS);
            }
        } finally {
            c.gate.exit();
            c.deliver(out);
        }
        if (coherent != null) {
            throw c.usage(coherent);
        }
        if (refusal != null && !c.checker.carriesOutMisuse()) {
            throw c.refused(refusal);
        }
    }

    private void syncSingle(boolean forCpu, long dmaAddr, long size, DmaDirection dir) {
        if (forCpu) {
            c.ops.syncSingleForCpu(dmaAddr, size, dir);
        } else {
            c.ops.syncSingleForDevice(dmaAddr, size, dir);
        }
    }

    /** {@code check_sync} for the table's entry, then the backend's sg sync. */
    void sg(String call, boolean forCpu, SgTable sg, int nents, DmaDirection dir) {
        c.live();
        DmaArgs.sg(call, sg, nents);
        DmaArgs.direction(call, dir);
        List<Finding> out = null;
        String refusal = null;
        boolean carryOut = false;
        c.enterReleasing();
        c.sim.chargeCall();
        try {
            synchronized (c.table) {
                int e = c.table.sgEntry(sg);
                if (e < 0) {
                    long bytes = sgBytes(sg, nents);
                    refusal = DmaDebug.syncNotAllocated(sg.dmaAddressField(0), bytes);
                    out = c.raise(out, FindingKind.SYNC_NOT_MAPPED, refusal, sg.dmaAddressField(0), bytes, dir, LiveMappings.NONE);
                } else {
                    refusal = directionChecks(e, forCpu, c.table.dmaAddr(e), dir);
                    if (refusal != null) {
                        out = directionFindings(out, e, forCpu, c.table.dmaAddr(e), dir);
                    }
                    if (c.table.callNents(e) != nents) {
                        String m = DmaDebug.syncDifferentSgCount(c.table.callNents(e), nents);
                        refusal = first(refusal, m);
                        out = c.raise(out, FindingKind.SYNC_SG_COUNT_MISMATCH, m, c.table.dmaAddr(e), c.table.size(e), c.table.dir(e), e);
                    }
                    carryOut = refusal != null && c.checker.carriesOutMisuse();
                    if (refusal == null || carryOut) {
                        c.checker.syncedSg(c.table, e, forCpu);
                    }
                }
            }
            if (refusal == null) {
                syncSg(forCpu, sg, nents, dir);
                c.stats.increment(Stat.SYNCS);
            } else if (carryOut) {
                c.carryOut(call, () -> syncSg(forCpu, sg, nents, dir));
                c.stats.increment(Stat.SYNCS);
            }
        } finally {
            c.gate.exit();
            c.deliver(out);
        }
        if (refusal != null && !c.checker.carriesOutMisuse()) {
            throw c.refused(refusal);
        }
    }

    private void syncSg(boolean forCpu, SgTable sg, int nents, DmaDirection dir) {
        if (forCpu) {
            c.ops.syncSgForCpu(sg, nents, dir);
        } else {
            c.ops.syncSgForDevice(sg, nents, dir);
        }
    }

    /** The first direction message check_sync would print for this sync, or null. */
    private String directionChecks(int e, boolean forCpu, long dmaAddr, DmaDirection dir) {
        if (c.table.dir(e) == DmaDirection.BIDIRECTIONAL || c.table.dir(e) == dir) {
            return null;
        }
        return DmaDebug.syncDifferentDirection(dmaAddr, c.table.size(e), c.table.dir(e), dir);
    }

    /** check_sync's direction findings, in its order. */
    private List<Finding> directionFindings(List<Finding> out, int e, boolean forCpu, long dmaAddr, DmaDirection dir) {
        List<Finding> r = c.raise(out, FindingKind.SYNC_DIRECTION_MISMATCH,
                DmaDebug.syncDifferentDirection(dmaAddr, c.table.size(e), c.table.dir(e), dir), c.table.dmaAddr(e), c.table.size(e), c.table.dir(e), e);
        if (forCpu && c.table.dir(e) != DmaDirection.FROM_DEVICE && dir != DmaDirection.TO_DEVICE) {
            r = c.raise(r, FindingKind.SYNC_READ_ONLY_FOR_CPU, DmaDebug.syncReadOnlyForCpu(dmaAddr, c.table.size(e), c.table.dir(e), dir),
                    c.table.dmaAddr(e), c.table.size(e), c.table.dir(e), e);
        }
        if (!forCpu && c.table.dir(e) != DmaDirection.TO_DEVICE && dir != DmaDirection.FROM_DEVICE) {
            r = c.raise(r, FindingKind.SYNC_WRITE_ONLY_FOR_DEVICE, DmaDebug.syncWriteOnlyForDevice(dmaAddr, c.table.size(e), c.table.dir(e), dir),
                    c.table.dmaAddr(e), c.table.size(e), c.table.dir(e), e);
        }
        return r;
    }
}
