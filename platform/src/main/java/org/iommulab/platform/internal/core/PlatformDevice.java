package org.iommulab.platform.internal.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import org.iommulab.api.admin.DeviceStatus;
import org.iommulab.api.platform.AccessType;
import org.iommulab.api.platform.PhysicalMemory;
import org.iommulab.platform.internal.checker.PlatformChecker;
import org.iommulab.platform.internal.bus.DeviceBus;
import org.iommulab.platform.internal.bus.DeviceBusMaster;
import org.iommulab.platform.internal.device.SimDmaDevice;
import org.iommulab.platform.internal.sim.Simulation;
import org.iommulab.platform.internal.dma.DeviceChecker;
import org.iommulab.platform.internal.dma.DeviceDmaApi;
import org.iommulab.platform.internal.dma.LiveMappings;
import org.iommulab.platform.internal.stats.StatCounters;

/**
 * One device registered with the platform and everything the platform keeps for it: the
 * device object backends see, its backend choice (target filter, pin), its attachment, the
 * DMA API published now and the driver generation it carries, its live mappings and its checker
 * (both outlive every binding), its bus (with the gate its accesses pass), counters per backend
 * and its log. Binding fields change only under the platform's lock, inside a swap; the rest is
 * safe to read from any thread.
 */
final class PlatformDevice {
    /** Entries of the live-mapping pool made when the device is added (dma-debug preallocates 65536 for all). */
    static final int INITIAL_MAPPINGS = 1024;
    static final int LOG_LINES = 1000;

    final String name;
    final DeviceOrigin origin;
    final LiveMappings live = new LiveMappings(INITIAL_MAPPINGS);
    final BoundedHistory<String> log = new BoundedHistory<>(LOG_LINES);
    final DeviceChecker checker;
    final DeviceBus bus;
    final DeviceBusMaster master;
    /** Backends whose attach failed for the current configuration: not chosen again automatically. */
    final Set<BackendEntry> refused = Collections.newSetFromMap(new IdentityHashMap<>());
    private final Map<String, StatCounters> stats = new LinkedHashMap<>();

    volatile SimDmaDevice sim;
    volatile String targetFilter;
    volatile TargetFilter filter;
    /** Set by an explicit bind: automatic rebinding leaves the device alone. */
    volatile BackendEntry pinned;
    volatile Attachment attachment;
    volatile int swaps;
    /** The thread running a swap of this device, to refuse a rebind from inside it. */
    volatile Thread swapper;
    /** Set when the device is being removed: a swap must then leave its backend even if the driver is stuck. */
    volatile boolean removing;
    DeviceDmaApi api;
    /** The driver generation {@link #api} (and its bus master) carries. */
    DeviceBus.Generation generation;
    /** Generations handed out so far: each published DmaApi gets the next. */
    long generations;
    DmaApiRegistrar.Registration registration;
    /** A release that did not end within the bound; the next swap waits for it again before anything else. */
    DriverRelease pendingRelease;

    /** @param simFor makes the device object backends see, given this (its sinks report here) */
    PlatformDevice(String name, DeviceOrigin origin, PhysicalMemory memory, Simulation simulation,
            PlatformChecker platformChecker, Function<PlatformDevice, SimDmaDevice> simFor) {
        this.name = name;
        this.origin = origin;
        this.checker = new DeviceChecker(name, platformChecker, this::log);
        this.sim = simFor.apply(this);
        this.bus = new DeviceBus(sim, memory, simulation, (driver, fault, length) -> checker.dmaAfterRelease(driver.backend(),
                fault.address(), length, fault.access() == AccessType.WRITE, driver.stats()));
        this.master = bus.master();
    }

    /** The backend bound now, or null. */
    BackendEntry backend() {
        Attachment a = attachment;
        return a == null ? null : a.backend;
    }

    /** Adds a platform line to the device's log, prefixed with the device name as Linux's dev_* do. */
    void log(String message) {
        log.add(name + ": " + message);
    }

    /** The counters of this device on {@code backend}, made on first use. */
    StatCounters stats(String backend) {
        synchronized (stats) {
            return stats.computeIfAbsent(backend, b -> new StatCounters(name, b));
        }
    }

    /** The counters of the backend bound now, or of {@link DeviceBus#NO_BACKEND} while unbound. */
    StatCounters currentStats() {
        Attachment a = attachment;
        return a != null ? a.stats : stats(DeviceBus.NO_BACKEND);
    }

    /** Every backend's counters, in the order the device met the backends. */
    List<StatCounters> allStats() {
        synchronized (stats) {
            return new ArrayList<>(stats.values());
        }
    }

    DeviceStatus status() {
        BackendEntry b = backend();
        return new DeviceStatus(sim.descriptor(), b == null ? null : b.name(), targetFilter, swaps);
    }
}
