package org.iommulab.platform.internal.core;

import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

import org.iommulab.api.admin.DeviceStats;
import org.iommulab.api.admin.DeviceStatus;
import org.iommulab.api.admin.Stat;
import org.iommulab.api.admin.PlatformAdmin;
import org.iommulab.api.backend.DmaBackend;
import org.iommulab.api.backend.ReservedRegion;
import org.iommulab.api.checker.CheckerPolicy;
import org.iommulab.api.checker.Finding;
import org.iommulab.api.iommu.PageTableCensus;
import org.iommulab.api.checker.FindingListener;
import org.iommulab.api.platform.BusMaster;
import org.iommulab.api.platform.DeviceDescriptor;
import org.iommulab.api.platform.DmaFault;
import org.iommulab.api.admin.MappingListener;
import org.iommulab.api.platform.FaultListener;
import org.iommulab.api.platform.PageAllocator;
import org.iommulab.api.platform.PhysicalMemory;
import org.iommulab.platform.internal.checker.CheckerSettings;
import org.iommulab.platform.internal.checker.PlatformChecker;
import org.iommulab.platform.internal.device.SimDmaDevice;
import org.iommulab.platform.internal.sim.Simulation;
import org.iommulab.platform.internal.dma.AddressMap;
import org.iommulab.platform.internal.dma.DeviceDmaApi;

/**
 * The platform's core, a plain object: memory and allocator, the registered backends, the
 * devices and which backend each is bound to, their statistics, faults, logs and the DMA-API
 * checker's findings (on unless {@link CheckerSettings} turn it off).
 *
 * <p><b>Binding rule.</b> A device with a target filter binds to the highest-ranked backend
 * whose service properties match the filter and that {@linkplain DmaBackend#accepts accepts}
 * it; a device without one to the highest-ranked backend that accepts it. {@link #bind} pins a
 * device to a backend until that backend goes away or the device's configuration changes. When
 * a backend goes away its devices move to their next choice (or become unbound); when a backend
 * appears or its ranking changes, every unpinned device whose best choice changed moves to it.
 * Every move is a {@link SwapProtocol swap}.
 *
 * <p><b>Threads.</b> Changes (backends, devices, binds) are serialized by one reentrant lock
 * and run their swaps on the calling thread; the queries never take it. DMA API calls and
 * device accesses never take it either, and never wait: they meet swaps only at their gates,
 * which refuse instead of holding them. A swap waits only for the driver's release (on a
 * thread of its own) and for calls and accesses in flight to drain, each at most
 * {@link PlatformSettings#releaseTimeoutMillis()}. A change asked for from inside a driver's
 * release while the swap that runs it holds the lock is refused at once, since the swap is
 * waiting for that very release.
 */
public final class DevicePlatform implements PlatformAdmin {
    private final PhysicalMemory memory;
    private final PageAllocator allocator;
    private final SwapProtocol swapper;
    private final PlatformChecker checker;
    private final PlatformSettings settings;
    private final AddressMap addresses;
    private final Simulation sim;
    private final ReentrantLock topology = new ReentrantLock();
    private final DeviceTable devices = new DeviceTable();
    private final FaultReports faults = new FaultReports();
    private final MappingListeners mappingListeners;
    /** The backends and the binding rule; changed only under {@link #topology}. */
    private final BackendRegistry backends;
    private boolean shutDown;

    /** A platform with the checker on (the default). */
    public DevicePlatform(PhysicalMemory memory, PageAllocator allocator, DmaApiRegistrar registrar) {
        this(memory, allocator, registrar, CheckerSettings.DEFAULT);
    }

    public DevicePlatform(PhysicalMemory memory, PageAllocator allocator, DmaApiRegistrar registrar, CheckerSettings checker) {
        this(memory, allocator, registrar, checker, PlatformSettings.DEFAULT);
    }

    /** A platform with its own {@link Simulation} of default settings. */
    public DevicePlatform(PhysicalMemory memory, PageAllocator allocator, DmaApiRegistrar registrar, CheckerSettings checker,
            PlatformSettings settings) {
        this(memory, allocator, registrar, checker, settings, new Simulation());
    }

    /**
     * @param sim the simulated clock and CPUs (shared with the backends that read them)
     * @throws IllegalArgumentException for a missing part, or declared MMIO that overlaps RAM
     */
    public DevicePlatform(PhysicalMemory memory, PageAllocator allocator, DmaApiRegistrar registrar, CheckerSettings checker,
            PlatformSettings settings, Simulation sim) {
        if (memory == null || allocator == null || registrar == null || checker == null || settings == null || sim == null) {
            throw new IllegalArgumentException("the platform needs memory, an allocator, a registrar, checker and platform "
                    + "settings, and the simulation");
        }
        this.memory = memory;
        this.allocator = allocator;
        this.settings = settings;
        this.sim = sim;
        this.mappingListeners = new MappingListeners(sim);
        this.addresses = new AddressMap(memory, settings.mmio());
        this.swapper = new SwapProtocol(registrar, addresses, settings, sim);
        this.checker = new PlatformChecker(checker, allocator);
        this.backends = new BackendRegistry(devices.all(), this::swap);
    }

    // ---- backends -----------------------------------------------------------------------------

    /**
     * A backend service appeared, with its service properties ({@code service.ranking},
     * {@value DmaBackend#NAME_PROPERTY}, anything a target filter may test). Unpinned devices
     * whose best choice it is move to it.
     */
    public void addBackend(DmaBackend backend, Map<String, ?> properties) {
        if (backend == null) {
            throw new IllegalArgumentException("backend must not be null");
        }
        topology.lock();
        try {
            if (!shutDown) {
                backends.add(backend, properties);
            }
        } finally {
            topology.unlock();
        }
    }

    /** A backend's service properties changed (its ranking, say): unpinned devices follow the best choice. */
    public void updateBackend(DmaBackend backend, Map<String, ?> properties) {
        topology.lock();
        try {
            if (!shutDown) {
                backends.update(backend, properties);
            }
        } finally {
            topology.unlock();
        }
    }

    /**
     * A backend service is going away: every device bound to it moves to its next choice, or
     * becomes unbound, before this returns, so the backend is never used after its service.
     */
    public void removeBackend(DmaBackend backend) {
        topology.lock();
        try {
            backends.remove(backend);
        } finally {
            topology.unlock();
        }
    }

    /** Names of the registered backends, best first. */
    @Override
    public List<String> backends() {
        return backends.names();
    }

    /** The registered backends, best first (for the shell). */
    public List<BackendEntry> backendEntries() {
        return backends.entries();
    }

    /** How many devices are bound to {@code e} now. */
    public int deviceCount(BackendEntry e) {
        return devices.boundTo(e);
    }

    // ---- devices ------------------------------------------------------------------------------

    @Override
    public void addDevice(DeviceDescriptor descriptor) {
        addDevice(descriptor, null, DeviceOrigin.ADMIN);
    }

    /**
     * Adds a device and binds it at once if a backend accepts it.
     *
     * @param targetFilter an LDAP filter on backend service properties, or null/blank for none
     * @throws IllegalArgumentException for a name in use, a stream ID another device has (an
     *         IOMMU tells devices apart only by it), or a filter that does not parse
     */
    public void addDevice(DeviceDescriptor descriptor, String targetFilter, DeviceOrigin origin) {
        if (descriptor == null || origin == null) {
            throw new IllegalArgumentException("device descriptor and origin must not be null");
        }
        String filterText = BackendRegistry.normalize(targetFilter);
        TargetFilter filter = BackendRegistry.compile(descriptor.name(), filterText);
        lock();
        try {
            checkOpen();
            devices.requireFree(descriptor.name());
            devices.requireFreeStreams(descriptor, null);
            add(descriptor, filterText, filter, origin);
        } finally {
            topology.unlock();
        }
    }

    /**
     * A configured device was renamed: the device {@code oldName} (if still there) is removed
     * and one described by {@code descriptor} added, in one step, so that the new device may
     * keep the old one's stream IDs. A clash with another device's name or stream IDs leaves the
     * old device in place.
     *
     * @throws IllegalArgumentException for a name or stream ID another device has, or a bad filter
     */
    public void renameConfiguredDevice(String oldName, DeviceDescriptor descriptor, String targetFilter) {
        if (descriptor == null) {
            throw new IllegalArgumentException("device descriptor must not be null");
        }
        String filterText = BackendRegistry.normalize(targetFilter);
        TargetFilter filter = BackendRegistry.compile(descriptor.name(), filterText);
        lock();
        try {
            checkOpen();
            devices.requireFree(descriptor.name());
            PlatformDevice old = devices.get(oldName);
            devices.requireFreeStreams(descriptor, old);
            if (old != null) {
                remove(old);
            }
            add(descriptor, filterText, filter, DeviceOrigin.CONFIGURATION);
        } finally {
            topology.unlock();
        }
    }

    private void add(DeviceDescriptor descriptor, String filterText, TargetFilter filter, DeviceOrigin origin) {
        PlatformDevice d = newDevice(descriptor, origin);
        d.targetFilter = filterText;
        d.filter = filter;
        devices.put(d);
        backends.placeAdded(d);
    }

    /**
     * The device's configuration changed: its pin is dropped and it is bound again by the rule
     * (a changed descriptor always means a new attach, even to the same backend).
     */
    public void updateDevice(DeviceDescriptor descriptor, String targetFilter) {
        if (descriptor == null) {
            throw new IllegalArgumentException("device descriptor must not be null");
        }
        String filterText = BackendRegistry.normalize(targetFilter);
        TargetFilter filter = BackendRegistry.compile(descriptor.name(), filterText);
        lock();
        try {
            checkOpen();
            PlatformDevice d = devices.require(descriptor.name());
            devices.requireFreeStreams(descriptor, d);
            d.pinned = null;
            d.refused.clear();
            d.targetFilter = filterText;
            d.filter = filter;
            backends.placeReconfigured(d, Descriptors.same(descriptor, d.sim.descriptor()) ? null : newSim(d, descriptor));
        } finally {
            topology.unlock();
        }
    }

    /**
     * Removes a device added by {@link #addDevice(DeviceDescriptor)} or from the default set:
     * its driver is released first.
     *
     * @throws IllegalArgumentException for an unknown device or one that comes from configuration
     */
    @Override
    public void removeDevice(String name) {
        lock();
        try {
            PlatformDevice d = devices.require(name);
            if (d.origin == DeviceOrigin.CONFIGURATION) {
                throw new IllegalArgumentException("device " + name
                        + " comes from an org.iommulab.device configuration; delete that configuration to remove it");
            }
            remove(d);
        } finally {
            topology.unlock();
        }
    }

    /** Removes a configured device whose configuration went away; unknown names are ignored (the platform may have stopped). */
    public void removeConfiguredDevice(String name) {
        lock();
        try {
            PlatformDevice d = devices.get(name);
            if (d != null) {
                remove(d);
            }
        } finally {
            topology.unlock();
        }
    }

    @Override
    public List<DeviceStatus> devices() {
        return devices.statuses();
    }

    @Override
    public DeviceStatus device(String name) {
        return devices.require(name).status();
    }

    /** The streaming DMA mask the device's driver set, or the descriptor's (for the shell). */
    public long dmaMask(String device) {
        return devices.require(device).sim.dmaMask();
    }

    /**
     * Pins {@code device} to {@code backend} with the swap protocol.
     *
     * @throws IllegalArgumentException for an unknown device or backend
     * @throws IllegalStateException when the backend does not accept the device or fails to
     *         attach it; the device is where it was
     */
    @Override
    public void bind(String device, String backend) {
        lock();
        try {
            checkOpen();
            PlatformDevice d = devices.require(device);
            backends.pin(d, backends.named(backend));
        } finally {
            topology.unlock();
        }
    }

    @Override
    public BusMaster busMaster(String device) {
        return devices.require(device).master;
    }

    // ---- statistics, faults, logs ---------------------------------------------------------------------

    @Override
    public DeviceStats stats(String device) {
        return devices.require(device).currentStats().snapshot();
    }

    @Override
    public long count(String device, Stat stat) {
        if (stat == null) {
            throw new IllegalArgumentException("count needs a stat, not null");
        }
        return devices.require(device).currentStats().read(stat);
    }

    @Override
    public List<DeviceStats> allStats() {
        return devices.allStats();
    }

    @Override
    public List<Finding> findings() {
        return checker.hub().findings();
    }

    @Override
    public boolean checkerEnabled() {
        return checker.settings().enabled();
    }

    @Override
    public CheckerPolicy checkerPolicy(String device) {
        return devices.require(device).checker.policy();
    }

    @Override
    public void setCheckerPolicy(String device, CheckerPolicy policy) {
        if (policy == null) {
            throw new IllegalArgumentException("checker policy must be refuse or report, not null");
        }
        devices.require(device).checker.policy(policy);
    }

    @Override
    public List<ReservedRegion> reservedRegions(String device) {
        Attachment a = devices.require(device).attachment;
        return a == null ? List.of() : a.ops.reservedRegions();
    }

    @Override
    public PageTableCensus pageTableCensus(String device) {
        Attachment a = devices.require(device).attachment;
        return a == null ? null : a.ops.pageTableCensus();
    }

    /** The checker's settings (for the shell). */
    public CheckerSettings checkerSettings() {
        return checker.settings();
    }

    public void addFindingListener(FindingListener l) {
        checker.hub().addListener(l);
    }

    public void removeFindingListener(FindingListener l) {
        checker.hub().removeListener(l);
    }

    @Override
    public List<DmaFault> faults() {
        return faults.recent();
    }

    @Override
    public List<String> log(String device) {
        return devices.require(device).log.snapshot();
    }

    public void addMappingListener(MappingListener l) {
        mappingListeners.add(l);
    }

    public void removeMappingListener(MappingListener l) {
        mappingListeners.remove(l);
    }

    public void addFaultListener(FaultListener l) {
        faults.addListener(l);
    }

    public void removeFaultListener(FaultListener l) {
        faults.removeListener(l);
    }

    /** The simulated clock and CPUs. */
    public Simulation simulation() {
        return sim;
    }

    /** The platform's settings (release bound, declared MMIO). */
    public PlatformSettings settings() {
        return settings;
    }

    /** DMA-API calls of the device's current driver and device accesses in flight now (diagnostics and tests). */
    public int callsInFlight(String device) {
        PlatformDevice d = devices.require(device);
        DeviceDmaApi api = d.api;
        return (api == null ? 0 : api.callsInFlight()) + d.bus.gate().inFlight();
    }

    /** Live mappings and coherent buffers of the device now. */
    public int liveMappings(String device) {
        PlatformDevice d = devices.require(device);
        synchronized (d.live) {
            return d.live.size();
        }
    }

    @Override
    public PhysicalMemory memory() {
        return memory;
    }

    @Override
    public PageAllocator allocator() {
        return allocator;
    }

    // ---- lifecycle ----------------------------------------------------------------------------------

    /** Releases every driver, reclaims leaks and detaches every device; the platform takes no changes after. */
    public void shutdown() {
        topology.lock();
        try {
            if (shutDown) {
                return;
            }
            for (PlatformDevice d : devices.all()) {
                try {
                    remove(d);
                } catch (RuntimeException e) {
                    d.log("release at shutdown failed: " + e);
                }
            }
            devices.clear();
            backends.clear();
            shutDown = true;
        } finally {
            topology.unlock();
        }
    }

    // ---- internals ----------------------------------------------------------------------------------

    private void remove(PlatformDevice d) {
        if (d.swapper != null) {
            throw new IllegalStateException("device " + d.name + " is being swapped now; remove it after the swap");
        }
        d.removing = true;
        swap(d, null, "device removed", null);
        devices.remove(d);
        d.checker.close();
    }

    /**
     * Takes the topology lock for a change, unless this is a driver's release thread while a swap
     * holds the lock: that swap waits for this very release, so waiting here would only run into
     * the release bound. Such a change is refused at once instead.
     */
    private void lock() {
        DriverRelease release = DriverRelease.current();
        if (release != null && topology.isLocked() && !topology.isHeldByCurrentThread()) {
            throw new IllegalStateException("device " + release.device() + " is being swapped now: this change was asked "
                    + "from inside the release of its driver, which the swap waits for; make it after the swap");
        }
        topology.lock();
    }

    private PlatformDevice newDevice(DeviceDescriptor descriptor, DeviceOrigin origin) {
        PlatformDevice d = new PlatformDevice(descriptor.name(), origin, memory, sim, checker, x -> newSim(x, descriptor));
        d.live.observe(mappingListeners.observerFor(d));
        return d;
    }

    /** A device object whose warnings and faults land in the device's log, counters and the fault listeners. */
    private SimDmaDevice newSim(PlatformDevice d, DeviceDescriptor descriptor) {
        return new SimDmaDevice(descriptor, memory, allocator, line -> FaultReports.warned(d, line), fault -> faults.faulted(d, fault));
    }

    /** Runs a swap, unless a fault listener of the device starts it on the faulting thread (see {@link FaultReports}). */
    private SwapProtocol.Outcome swap(PlatformDevice d, BackendEntry target, String reason, SimDmaDevice replacement) {
        faults.refuseSwapWhileDelivering(d);
        return swapper.run(d, target, reason, replacement);
    }

    private void checkOpen() {
        if (shutDown) {
            throw new IllegalStateException("the platform has shut down");
        }
    }

    @Override
    public String toString() {
        return "DevicePlatform[" + devices.size() + " devices, backends " + backends() + "]";
    }
}
