package org.iommulab.platform.internal.dma;

import java.util.List;
import java.util.function.Consumer;

import org.iommulab.api.admin.Stat;
import org.iommulab.api.backend.DmaOps;
import org.iommulab.api.checker.Finding;
import org.iommulab.api.checker.FindingKind;
import org.iommulab.api.dma.SgTable;
import org.iommulab.platform.internal.stats.StatCounters;

/**
 * The checker's last word when a driver is released (Linux {@code dma_debug_device_change} on
 * {@code BUS_NOTIFY_UNBOUND_DRIVER}): whatever is still live in the device's table is a leak.
 * As dma-debug does, it is one error for the device, "device driver has pending DMA allocations
 * while released from device [count=N]" followed by "One of leaked entries details: ..." of one
 * entry ({@code device_dma_allocations} walks dma-debug's hash buckets and hands back the last
 * entry it counted; here too, the last in the table's hash order). With the checker on that error is one {@link FindingKind#LEAK} finding,
 * logged once; a leak has no offending call, so its {@code calledAt} is null. Every entry is
 * counted ({@code LEAKS_RECLAIMED}) and reclaimed through the backend that made it, with the call
 * that matches how it was made, so nothing stays live in a backend the device is about to leave.
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
        int[] leaks;
        List<Finding> findings = null;
        synchronized (table) {
            leaks = table.collect();
            if (leaks.length == 0) {
                checker.driverReleased();
                return 0;
            }
            int example = leaks[leaks.length - 1];
            String message = DmaDebug.leak(leaks.length, table, example);
            if (checker.enabled()) {
                findings = checker.raiseLeak(findings, backend, message, table, example);
            } else {
                log.accept(message);
            }
            for (int e : leaks) {
                if (ops != null) {
                    try {
                        release(ops, table, e);
                    } catch (RuntimeException ex) {
                        log.accept("reclaiming " + DmaDebug.describe(table, e) + " failed in the backend: " + ex);
                    }
                }
                SgTable sg = table.sg(e);
                if (sg != null && sg.nents() != 0) {
                    sg.setNents(0);
                }
                if (stats != null) {
                    stats.increment(Stat.LEAKS_RECLAIMED);
                }
                checker.released(table, e);
                table.remove(e);
            }
            checker.driverReleased();
        }
        checker.deliver(findings, stats, true);
        return leaks.length;
    }

    private static void release(DmaOps ops, LiveMappings t, int e) {
        switch (t.type(e)) {
            case SINGLE:
                ops.unmapPhys(t.dmaAddr(e), t.size(e), t.dir(e), t.attrs(e));
                break;
            case PHYS:
                ops.unmapResource(t.dmaAddr(e), t.size(e), t.dir(e), t.attrs(e));
                break;
            case SCATTER_GATHER:
                ops.unmapSg(t.sg(e), t.callNents(e), t.dir(e), t.attrs(e));
                break;
            case COHERENT:
                ops.freeCoherent(t.coherent(e));
                break;
            default:
                throw new IllegalStateException("unknown mapping type " + t.type(e));
        }
    }
}
