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
                LiveMapping e = c.table.containing(dmaAddr);
                if (e == null) {
                    refusal = DmaDebug.syncNotAllocated(dmaAddr, size);
                    out = c.raise(out, FindingKind.SYNC_NOT_MAPPED, refusal, dmaAddr, size, dir, null);
                } else if (e.type == MappingType.COHERENT) {
                    // The model's own rule (Linux finds the coherent entry and says nothing): no finding kind.
                    coherent = DmaDebug.syncCoherent(dmaAddr, size);
                } else {
                    long offsetPlusSize = dmaAddr - e.dmaAddr + size;
                    if (Long.compareUnsigned(offsetPlusSize, e.size) > 0) {
                        String m = DmaDebug.syncOutsideRange(e.dmaAddr, e.size, offsetPlusSize);
                        refusal = first(refusal, m);
                        out = c.raise(out, FindingKind.SYNC_OUT_OF_RANGE, m, e.dmaAddr, e.size, e.dir, e);
                    }
                    String m = directionChecks(e, forCpu, dmaAddr, dir);
                    refusal = first(refusal, m);
                    if (m != null) {
                        out = directionFindings(out, e, forCpu, dmaAddr, dir);
                    }
                    carryOut = refusal != null && c.checker.carriesOutMisuse();
                    if (refusal == null || carryOut) {
                        c.checker.syncedSingle(e, forCpu, dmaAddr, size);
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
                LiveMapping e = c.table.sgEntry(sg);
                if (e == null) {
                    long bytes = sgBytes(sg, nents);
                    refusal = DmaDebug.syncNotAllocated(sg.dmaAddressField(0), bytes);
                    out = c.raise(out, FindingKind.SYNC_NOT_MAPPED, refusal, sg.dmaAddressField(0), bytes, dir, null);
                } else {
                    refusal = directionChecks(e, forCpu, e.dmaAddr, dir);
                    if (refusal != null) {
                        out = directionFindings(out, e, forCpu, e.dmaAddr, dir);
                    }
                    if (e.callNents() != nents) {
                        String m = DmaDebug.syncDifferentSgCount(e.callNents(), nents);
                        refusal = first(refusal, m);
                        out = c.raise(out, FindingKind.SYNC_SG_COUNT_MISMATCH, m, e.dmaAddr, e.size, e.dir, e);
                    }
                    carryOut = refusal != null && c.checker.carriesOutMisuse();
                    if (refusal == null || carryOut) {
                        c.checker.syncedSg(e, forCpu);
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
    private static String directionChecks(LiveMapping e, boolean forCpu, long dmaAddr, DmaDirection dir) {
        if (e.dir == DmaDirection.BIDIRECTIONAL || e.dir == dir) {
            return null;
        }
        return DmaDebug.syncDifferentDirection(dmaAddr, e.size, e.dir, dir);
    }

    /** check_sync's direction findings, in its order. */
    private List<Finding> directionFindings(List<Finding> out, LiveMapping e, boolean forCpu, long dmaAddr, DmaDirection dir) {
        List<Finding> r = c.raise(out, FindingKind.SYNC_DIRECTION_MISMATCH,
                DmaDebug.syncDifferentDirection(dmaAddr, e.size, e.dir, dir), e.dmaAddr, e.size, e.dir, e);
        if (forCpu && e.dir != DmaDirection.FROM_DEVICE && dir != DmaDirection.TO_DEVICE) {
            r = c.raise(r, FindingKind.SYNC_READ_ONLY_FOR_CPU, DmaDebug.syncReadOnlyForCpu(dmaAddr, e.size, e.dir, dir),
                    e.dmaAddr, e.size, e.dir, e);
        }
        if (!forCpu && e.dir != DmaDirection.TO_DEVICE && dir != DmaDirection.FROM_DEVICE) {
            r = c.raise(r, FindingKind.SYNC_WRITE_ONLY_FOR_DEVICE, DmaDebug.syncWriteOnlyForDevice(dmaAddr, e.size, e.dir, dir),
                    e.dmaAddr, e.size, e.dir, e);
        }
        return r;
    }
}
