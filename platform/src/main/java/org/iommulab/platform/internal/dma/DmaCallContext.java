package org.iommulab.platform.internal.dma;

import java.util.List;
import java.util.function.Consumer;

import org.iommulab.api.backend.DmaOps;
import org.iommulab.api.checker.Finding;
import org.iommulab.api.checker.FindingKind;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.dma.DmaUsageException;
import org.iommulab.api.platform.DeviceDescriptor;
import org.iommulab.platform.internal.device.SimDmaDevice;
import org.iommulab.platform.internal.sim.Simulation;
import org.iommulab.platform.internal.stats.StatCounters;

/**
 * What the parts of one device's DMA API on one backend share ({@link DeviceDmaApi} and the
 * single, sg, sync and coherent calls it delegates to): the device, the backend and its ops,
 * this API's own {@link CallGate} (open, releasing, retired), the address map, the live-mapping
 * table, the counters, the log and the checker. Also how a refused call is reported: with the
 * checker on, its findings carry the message to the log, the listeners and the counters, and
 * the exception repeats it; with the checker off, the message is logged here.
 */
final class DmaCallContext {
    final DeviceDescriptor descriptor;
    final SimDmaDevice device;
    final String backend;
    final DmaOps ops;
    final CallGate gate = new CallGate();
    final AddressMap addresses;
    final LiveMappings table;
    final StatCounters stats;
    final Consumer<String> log;
    final DeviceChecker checker;
    /** The backend isolates the device (an IOMMU): sub-page exposure is measured. */
    final boolean isolating;
    /** log2 of the backend's translation granule, for sub-page exposure. */
    final int granuleShift;
    /** The simulation: each call advances its clock by the modelled cost of a DMA-API call. */
    final Simulation sim;
    volatile boolean warnedSgStatus;
    /** Where the swap that releases the driver takes the device ("direct", "no backend"), for the refusals. */
    volatile String swapTarget = "another backend";

    DmaCallContext(SimDmaDevice device, String backend, DmaOps ops, AddressMap addresses, LiveMappings table,
            StatCounters stats, Consumer<String> log, DeviceChecker checker, boolean isolating, int granuleShift,
            Simulation sim) {
        this.descriptor = device.descriptor();
        this.device = device;
        this.backend = backend;
        this.ops = ops;
        this.addresses = addresses;
        this.table = table;
        this.stats = stats;
        this.log = log;
        this.checker = checker;
        this.isolating = isolating;
        this.granuleShift = granuleShift;
        this.sim = sim;
    }

    /** Throws when the API is stale (its device was swapped since). */
    void live() {
        if (gate.isRetired()) {
            throw usage(DmaDebug.stale(descriptor.name(), backend));
        }
    }

    /**
     * Enters the gate for {@code call}, which creates something, or throws at once: the API is
     * stale, or its driver is being released (the device is being swapped).
     */
    void enterCreating(String call) {
        if (!gate.enterCreating()) {
            throw gate.isRetired() ? usage(DmaDebug.stale(descriptor.name(), backend))
                    : usage(DmaDebug.beingSwapped(descriptor.name(), backend, swapTarget, call));
        }
    }

    /** Enters the gate for a call that releases, syncs or only reads, or throws at once when the API is stale. */
    void enterReleasing() {
        if (!gate.enterReleasing()) {
            throw usage(DmaDebug.stale(descriptor.name(), backend));
        }
    }

    /**
     * Runs the backend half of a misused call that the REPORT policy carries out. The backend
     * was given arguments that do not match the mapping, as Linux's would be; should it refuse
     * them, the refusal is logged and the call still returns, as Linux's WARNs do.
     */
    void carryOut(String call, Runnable backendCall) {
        try {
            backendCall.run();
        } catch (RuntimeException e) {
            log.accept(call + ": the misused call was carried out and the backend refused it: " + e.getMessage());
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
            int e) {
        return checker.raise(out, backend, kind, message, dma, size, dir, table, e);
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
