package org.iommulab.platform.internal.core;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.iommulab.api.admin.Stat;
import org.iommulab.api.platform.DmaFault;
import org.iommulab.api.platform.FaultListener;

/**
 * Where the devices' warnings and faults go: the device's log and counters, the platform's
 * recent faults and the fault listeners. Safe from any thread; it takes no platform lock, as
 * faults are reported from inside device accesses.
 */
final class FaultReports {
    /** Faults kept for {@link #recent()}. */
    static final int FAULT_HISTORY = 1000;

    private final BoundedHistory<DmaFault> faults = new BoundedHistory<>(FAULT_HISTORY);
    private final CopyOnWriteArrayList<FaultListener> listeners = new CopyOnWriteArrayList<>();
    /** The device whose fault the listeners are being told of on this thread, if any. */
    private final ThreadLocal<PlatformDevice> deliveringFaultOf = new ThreadLocal<>();

    /** A warning of the device object: a log line and a count. */
    static void warned(PlatformDevice d, String line) {
        d.log.add(line);
        d.currentStats().increment(Stat.WARNINGS);
    }

    /** A fault of the device: counted, kept and told to every listener (one that throws is logged and skipped). */
    void faulted(PlatformDevice d, DmaFault fault) {
        d.currentStats().increment(Stat.FAULTS);
        faults.add(fault);
        PlatformDevice outer = deliveringFaultOf.get();
        deliveringFaultOf.set(d);
        try {
            for (FaultListener l : listeners) {
                try {
                    l.faultReported(fault);
                } catch (RuntimeException e) {
                    d.log("fault listener " + l + " failed: " + e);
                }
            }
        } finally {
            deliveringFaultOf.set(outer);
        }
    }

    /**
     * Refuses a swap of {@code d} that a fault listener starts on the thread that reported the
     * device's fault: that thread is inside one of the device's accesses, which the swap would
     * wait for.
     *
     * @throws IllegalStateException when this thread is telling the listeners of a fault of {@code d}
     */
    void refuseSwapWhileDelivering(PlatformDevice d) {
        if (deliveringFaultOf.get() == d) {
            throw new IllegalStateException("device " + d.name + " cannot be rebound by a fault listener on the thread "
                    + "that reported its fault (the swap would wait for that very access); rebind from another thread");
        }
    }

    /** The recent faults, oldest first. */
    List<DmaFault> recent() {
        return faults.snapshot();
    }

    void addListener(FaultListener l) {
        if (l != null) {
            listeners.addIfAbsent(l);
        }
    }

    void removeListener(FaultListener l) {
        listeners.remove(l);
    }
}
