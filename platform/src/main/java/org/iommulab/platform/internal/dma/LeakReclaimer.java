package org.iommulab.platform.internal.dma;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import org.iommulab.api.admin.Stat;
import org.iommulab.api.backend.DmaOps;
import org.iommulab.api.checker.Finding;
import org.iommulab.api.checker.FindingKind;
import org.iommulab.platform.internal.stats.StatCounters;

/**
 * The checker's last word when a driver is released (Linux {@code dma_debug_device_change} on
 * {@code BUS_NOTIFY_UNBOUND_DRIVER}): whatever is still live in the device's table is a leak.
 * Each one is reported in dma-debug's words, counted, and reclaimed through the backend that
 * made it, with the call that matches how it was made, so nothing stays live in a backend the
 * device is about to leave. With the checker on, each leaked entry is also a
 * {@link FindingKind#LEAK} finding (the count line and the entry lines stay in the log, as
 * before, and the findings are not logged twice); a leak has no offending call, so its
 * {@code calledAt} is null.
 */
public final class LeakReclaimer {
    private LeakReclaimer() {
    }

    /**
     * Reports and reclaims every live entry of {@code table}. Call only when no DMA API call of
     * the device is in flight. A backend that fails to release an entry is logged; the entry is
     * dropped anyway, since the detach that follows releases what the backend still holds.
     *
     * @param ops the backend's ops that made the entries, or null when there is none left
     * @param backend the name of that backend, for the findings
     * @param checker the device's checker
     * @return the number of leaks
     */
    public static int reclaim(LiveMappings table, DmaOps ops, String backend, StatCounters stats, Consumer<String> log,
            DeviceChecker checker) {
        List<LiveMapping> leaks = new ArrayList<>();
        List<Finding> findings = null;
        synchronized (table) {
            table.collect(leaks);
            if (leaks.isEmpty()) {
                return 0;
            }
            log.accept(DmaDebug.pendingAllocations(leaks.size()));
            for (LiveMapping e : leaks) {
                log.accept(DmaDebug.leakedEntry(e));
                if (checker.enabled()) {
                    findings = checker.raiseLeak(findings, backend, DmaDebug.leak(leaks.size(), e), e);
                }
                if (ops != null) {
                    try {
                        release(ops, e);
                    } catch (RuntimeException ex) {
                        log.accept("reclaiming " + DmaDebug.describe(e) + " failed in the backend: " + ex);
                    }
                }
                if (e.sg != null && e.sg.nents() != 0) {
                    e.sg.setNents(0);
                }
                if (stats != null) {
                    stats.increment(Stat.LEAKS_RECLAIMED);
                }
                checker.released(e);
                table.remove(e);
            }
        }
        checker.deliver(findings, stats, false);
        return leaks.size();
    }

    private static void release(DmaOps ops, LiveMapping e) {
        switch (e.type) {
            case SINGLE:
                ops.unmapPhys(e.dmaAddr, e.size, e.dir, e.attrs);
                break;
            case PHYS:
                ops.unmapResource(e.dmaAddr, e.size, e.dir, e.attrs);
                break;
            case SCATTER_GATHER:
                ops.unmapSg(e.sg, e.callNents, e.dir, e.attrs);
                break;
            case COHERENT:
                ops.freeCoherent(e.coherent);
                break;
            default:
                throw new IllegalStateException("unknown mapping type " + e.type);
        }
    }
}
