package org.iommulab.platform.internal.dma;

import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import org.iommulab.api.backend.DmaOps;
import org.iommulab.api.checker.Finding;
import org.iommulab.api.checker.FindingKind;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.dma.DmaUsageException;
import org.iommulab.api.platform.DeviceDescriptor;
import org.iommulab.platform.internal.device.SimDmaDevice;
import org.iommulab.platform.internal.device.SwapGate;
import org.iommulab.platform.internal.stats.StatCounters;

/**
 * What the parts of one device's DMA API on one backend share ({@link DeviceDmaApi} and the
 * single, sg, sync and coherent calls it delegates to): the device, the backend and its ops,
 * the gate, the live-mapping table, the counters, the log, the checker, and whether the API is
 * stale. Also how a refused call is reported: with the checker on, its findings carry the
 * message to the log, the listeners and the counters, and the exception repeats it; with the
 * checker off, the message is logged here.
 */
final class DmaCallContext {
    final DeviceDescriptor descriptor;
    final SimDmaDevice device;
    final String backend;
    final DmaOps ops;
    final SwapGate gate;
    final LiveMappings table;
    final StatCounters stats;
    final Consumer<String> log;
    final DeviceChecker checker;
    /** The backend isolates the device (an IOMMU): sub-page exposure is measured. */
    final boolean isolating;
    /** log2 of the backend's translation granule, for sub-page exposure. */
    final int granuleShift;
    volatile boolean retired;
    volatile boolean warnedSgStatus;
    /** Made once: the steady state allocates nothing, not even a lambda per call. */
    private final BooleanSupplier stale = () -> retired;

    DmaCallContext(SimDmaDevice device, String backend, DmaOps ops, SwapGate gate, LiveMappings table, StatCounters stats,
            Consumer<String> log, DeviceChecker checker, boolean isolating, int granuleShift) {
        this.descriptor = device.descriptor();
        this.device = device;
        this.backend = backend;
        this.ops = ops;
        this.gate = gate;
        this.table = table;
        this.stats = stats;
        this.log = log;
        this.checker = checker;
        this.isolating = isolating;
        this.granuleShift = granuleShift;
    }

    /** Throws when the API is stale (its device was swapped since). */
    void live() {
        if (retired) {
            throw usage(DmaDebug.stale(descriptor.name(), backend));
        }
    }

    /**
     * Enters the gate for a call that creates something; a call that waits there while a swap
     * makes this API stale fails at once with the stale error instead of waiting for the swap
     * to end (its thread may hold what the new driver needs to start).
     */
    void enterCreating() {
        if (!gate.enterCreatingUnless(stale)) {
            throw usage(DmaDebug.stale(descriptor.name(), backend));
        }
    }

    /** Logs {@code message} in the device's log and returns the exception to throw (no finding goes with it). */
    DmaUsageException usage(String message) {
        log.accept(message);
        return new DmaUsageException(message);
    }

    /** The exception of a misuse whose findings were delivered (checker on) or that is logged now (checker off). */
    DmaUsageException refused(String message) {
        return checker.enabled() ? new DmaUsageException(message) : usage(message);
    }

    List<Finding> raise(List<Finding> out, FindingKind kind, String message, long dma, long size, DmaDirection dir,
            LiveMapping e) {
        return checker.raise(out, backend, kind, message, dma, size, dir, e);
    }

    /** Delivers a call's findings; call after leaving the gate and every lock. */
    void deliver(List<Finding> out) {
        checker.deliver(out, stats);
    }

    static String first(String refusal, String message) {
        return refusal != null ? refusal : message;
    }

    static long sgBytes(org.iommulab.api.dma.SgTable sg, int nents) {
        long bytes = 0;
        for (int i = 0; i < nents; i++) {
            bytes += sg.cpuLength(i);
        }
        return bytes;
    }
}
