package org.iommulab.platform.internal.dma;

import java.util.List;

import org.iommulab.api.checker.Finding;
import org.iommulab.api.checker.FindingKind;
import org.iommulab.api.dma.DmaAttrs;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.dma.SgTable;
import org.iommulab.platform.internal.checker.CachelineTracker;

/**
 * The {@link DeviceChecker}'s active cache lines, as Linux dma-debug tracks them
 * ({@code kernel/dma/debug.c}): a mapping the device may write (any direction but TO_DEVICE,
 * which {@code active_cacheline_insert} skips) holds its first cache line (per CPU entry of an
 * sg table) from map to unmap, and a second such mapping of the same line is an overlapping
 * mapping. Static helpers over the
 * platform's {@link CachelineTracker}: called on every map and unmap, under the table lock.
 */
final class CachelineChecks {
    private CachelineChecks() {
    }

    /**
     * Linux {@code add_dma_entry}'s {@code active_cacheline_insert}: the first line of the
     * mapping (of each CPU entry of an sg table; Linux does it per DMA segment of its own entries)
     * unless the device only reads it. The EEXIST report is skipped with SKIP_CPU_SYNC, as Linux
     * does; the one-time overflow warning is not.
     */
    static List<Finding> track(DeviceChecker checker, CachelineTracker cachelines, LiveMappings t, int e, MappingType type,
            DmaCallContext c, List<Finding> out) {
        DmaDirection dir = t.dir(e);
        if (dir == DmaDirection.TO_DEVICE) {
            return out;
        }
        List<Finding> r = out;
        int n = type == MappingType.SCATTER_GATHER ? t.callNents(e) : 1;
        SgTable sg = type == MappingType.SCATTER_GATHER ? t.sg(e) : null;
        for (int i = 0; i < n; i++) {
            long phys = sg != null ? sg.cpuPhys(i) : t.cpuAddr(e);
            int rc = cachelines.insert(phys);
            boolean overflow = rc == CachelineTracker.EEXIST_OVERFLOW;
            if (overflow || rc == CachelineTracker.EEXIST && !DmaAttrs.has(t.attrs(e), DmaAttrs.SKIP_CPU_SYNC)) {
                r = checker.raise(r, c.backend, FindingKind.OVERLAPPING_MAPPING, DmaDebug.overlappingMapping(t.dmaAddr(e),
                        t.size(e), dir, CachelineTracker.cacheline(phys), overflow), t.dmaAddr(e), t.size(e), dir, t, e);
            }
        }
        return r;
    }

    /** Linux check_unmap -> hash_bucket_del -> active_cacheline_remove, per line tracked at map. */
    static void untrack(CachelineTracker cachelines, LiveMappings t, int e, MappingType type) {
        if (t.dir(e) == DmaDirection.TO_DEVICE) {
            return;
        }
        if (type == MappingType.SCATTER_GATHER) {
            SgTable sg = t.sg(e);
            for (int i = 0; i < t.callNents(e); i++) {
                cachelines.remove(sg.cpuPhys(i));
            }
        } else {
            cachelines.remove(t.cpuAddr(e));
        }
    }
}
