package org.iommulab.platform.internal.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;

import org.iommulab.api.admin.DeviceStats;
import org.iommulab.api.admin.DeviceStatus;
import org.iommulab.api.admin.PlatformAdmin;
import org.iommulab.api.admin.Stat;
import org.iommulab.api.backend.DmaBackend;
import org.iommulab.api.checker.Finding;
import org.iommulab.api.checker.FindingListener;
import org.iommulab.api.platform.BusMaster;
import org.iommulab.api.platform.DeviceDescriptor;
import org.iommulab.api.platform.DmaFault;
import org.iommulab.api.platform.FaultListener;
import org.iommulab.api.platform.PageAllocator;
import org.iommulab.api.platform.PhysicalMemory;
import org.iommulab.platform.internal.checker.CheckerSettings;
import org.iommulab.platform.internal.checker.PlatformChecker;
import org.iommulab.platform.internal.device.SimDmaDevice;
import org.iommulab.platform.internal.stats.StatCounters;

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
 * device accesses never take it either: they meet swaps only at the device's gates.
 */
public final class DevicePlatform implements PlatformAdmin {
    /** Faults kept for {@link #faults()}. */
    static final int FAULT_HISTORY = 1000;

    private final PhysicalMemory memory;
    private final PageAllocator allocator;
    private final SwapProtocol swapper;
    private final PlatformChecker checker;
    private final ReentrantLock topology = new ReentrantLock();
    private final ConcurrentSkipListMap<String, PlatformDevice> devices = new ConcurrentSkipListMap<>();
    private final BoundedHistory<DmaFault> faults = new BoundedHistory<>(FAULT_HISTORY);
    private final CopyOnWriteArrayList<FaultListener> faultListeners = new CopyOnWriteArrayList<>();
    /** The device whose fault the listeners are being told of on this thread, if any. */
    private final ThreadLocal<PlatformDevice> deliveringFaultOf = new ThreadLocal<>();
    /** Registered backends, best first; replaced (never changed in place) under the lock. */
    private volatile List<BackendEntry> backends = List.of();
    private long backendSequence;
    private boolean shutDown;

    /** A platform with the checker on (the default). */
    public DevicePlatform(PhysicalMemory memory, PageAllocator allocator, DmaApiRegistrar registrar) {
        this(memory, allocator, registrar, CheckerSettings.DEFAULT);
    }

    public DevicePlatform(PhysicalMemory memory, PageAllocator allocator, DmaApiRegistrar registrar, CheckerSettings checker) {
        if (memory == null || allocator == null || registrar == null || checker == null) {
            throw new IllegalArgumentException("the platform needs memory, an allocator, a registrar and checker settings");
        }
        this.memory = memory;
        this.allocator = allocator;
        this.swapper = new SwapProtocol(registrar, memory);
        this.checker = new PlatformChecker(checker, allocator);
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
            if (shutDown) {
                return;
            }
            BackendEntry existing = entryOf(backend);
            if (existing != null) {
                updateBackend(backend, properties);
                return;
            }
            BackendEntry e = new BackendEntry(backend, properties, backendSequence++);
            List<BackendEntry> next = new ArrayList<>(backends);
            next.add(e);
            next.sort(BackendEntry.BEST_FIRST);
            backends = List.copyOf(next);
            rebalance("backend " + e.name() + " registered with ranking " + e.ranking());
        } finally {
            topology.unlock();
        }
    }

    /** A backend's service properties changed (its ranking, say): unpinned devices follow the best choice. */
    public void updateBackend(DmaBackend backend, Map<String, ?> properties) {
        topology.lock();
        try {
            if (shutDown) {
                return;
            }
            BackendEntry e = entryOf(backend);
            if (e == null) {
                addBackend(backend, properties);
                return;
            }
            e.update(properties);
            List<BackendEntry> next = new ArrayList<>(backends);
            next.sort(BackendEntry.BEST_FIRST);
            backends = List.copyOf(next);
            for (PlatformDevice d : devices.values()) {
                // New properties are a new chance for a backend that failed to attach before.
                d.refused.remove(e);
            }
            rebalance("backend " + e.name() + " changed, ranking " + e.ranking());
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
            BackendEntry e = entryOf(backend);
            if (e == null) {
                return;
            }
            List<BackendEntry> next = new ArrayList<>(backends);
            next.remove(e);
            backends = List.copyOf(next);
            e.unregistered();
            for (PlatformDevice d : devices.values()) {
                d.refused.remove(e);
                if (d.pinned == e) {
                    d.pinned = null;
                    d.log("pin to " + e.name() + " dropped: the backend went away");
                }
                if (d.backend() == e) {
                    swap(d, choose(d, d.sim), "backend " + e.name() + " unregistered", null);
                }
            }
        } finally {
            topology.unlock();
        }
    }

    /** Names of the registered backends, best first. */
    @Override
    public List<String> backends() {
        return backends.stream().map(BackendEntry::name).collect(Collectors.toList());
    }

    /** The registered backends, best first (for the shell). */
    public List<BackendEntry> backendEntries() {
        return backends;
    }

    /** How many devices are bound to {@code e} now. */
    public int deviceCount(BackendEntry e) {
        int n = 0;
        for (PlatformDevice d : devices.values()) {
            if (d.backend() == e) {
                n++;
            }
        }
        return n;
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
     * @throws IllegalArgumentException for a name in use or a filter that does not parse
     */
    public void addDevice(DeviceDescriptor descriptor, String targetFilter, DeviceOrigin origin) {
        if (descriptor == null || origin == null) {
            throw new IllegalArgumentException("device descriptor and origin must not be null");
        }
        String filterText = normalize(targetFilter);
        TargetFilter filter = compile(descriptor.name(), filterText);
        topology.lock();
        try {
            checkOpen();
            if (devices.containsKey(descriptor.name())) {
                PlatformDevice other = devices.get(descriptor.name());
                throw new IllegalArgumentException("a device named " + descriptor.name() + " exists already ("
                        + describe(other.origin) + ")");
            }
            PlatformDevice d = newDevice(descriptor, origin);
            d.targetFilter = filterText;
            d.filter = filter;
            devices.put(d.name, d);
            BackendEntry best = choose(d, d.sim);
            if (best != null) {
                swap(d, best, "device added", null);
            } else {
                d.log("added; no registered backend " + (filter == null ? "" : "matching " + filterText + " ")
                        + "accepts it: unbound until one does");
            }
        } finally {
            topology.unlock();
        }
    }

    /**
     * The device's configuration changed: its pin is dropped and it is bound again by the rule
     * (a changed descriptor always means a new attach, even to the same backend).
     */
    public void updateDevice(DeviceDescriptor descriptor, String targetFilter) {
        if (descriptor == null) {
            throw new IllegalArgumentException("device descriptor must not be null");
        }
        String filterText = normalize(targetFilter);
        TargetFilter filter = compile(descriptor.name(), filterText);
        topology.lock();
        try {
            checkOpen();
            PlatformDevice d = require(descriptor.name());
            d.pinned = null;
            d.refused.clear();
            d.targetFilter = filterText;
            d.filter = filter;
            if (!Descriptors.same(descriptor, d.sim.descriptor())) {
                SimDmaDevice next = newSim(d, descriptor);
                swap(d, choose(d, next), "configuration changed", next);
                return;
            }
            BackendEntry best = choose(d, d.sim);
            if (best != d.backend()) {
                swap(d, best, "configuration changed (backend target " + (filterText == null ? "none" : filterText) + ")", null);
            }
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
        topology.lock();
        try {
            PlatformDevice d = require(name);
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
        topology.lock();
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
        List<DeviceStatus> out = new ArrayList<>();
        for (PlatformDevice d : devices.values()) {
            out.add(d.status());
        }
        return out;
    }

    @Override
    public DeviceStatus device(String name) {
        return require(name).status();
    }

    /** The streaming DMA mask the device's driver set, or the descriptor's (for the shell). */
    public long dmaMask(String device) {
        return require(device).sim.dmaMask();
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
        topology.lock();
        try {
            checkOpen();
            PlatformDevice d = require(device);
            BackendEntry e = backends.stream().filter(b -> b.name().equals(backend)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("unknown backend '" + backend + "'; registered: "
                            + (backends.isEmpty() ? "none" : String.join(", ", backends()))));
            if (d.swapper != null) {
                throw new IllegalStateException("device " + device + " is being swapped now; bind it after the swap");
            }
            BackendEntry current = d.backend();
            if (!accepts(e, d, d.sim)) {
                throw new IllegalStateException("backend " + e.name() + " does not accept device " + device
                        + "; it stays on " + (current == null ? "no backend" : current.name()));
            }
            if (current == e) {
                d.pinned = e;
                d.log("pinned to " + e.name());
                return;
            }
            d.refused.remove(e);
            SwapProtocol.Outcome out = swap(d, e, "bind " + device + " " + backend, null);
            if (out.bound != e) {
                throw new IllegalStateException("backend " + e.name() + " failed to attach device " + device + ": "
                        + out.attachError + "; the device is on " + (out.bound == null ? "no backend" : out.bound.name()));
            }
            d.pinned = e;
            d.log("pinned to " + e.name());
        } finally {
            topology.unlock();
        }
    }

    @Override
    public BusMaster busMaster(String device) {
        return require(device).master;
    }

    // ---- statistics, faults, logs ---------------------------------------------------------------------

    @Override
    public DeviceStats stats(String device) {
        return require(device).currentStats().snapshot();
    }

    @Override
    public List<DeviceStats> allStats() {
        List<DeviceStats> out = new ArrayList<>();
        for (PlatformDevice d : devices.values()) {
            for (StatCounters c : d.allStats()) {
                out.add(c.snapshot());
            }
        }
        return out;
    }

    @Override
    public List<Finding> findings() {
        return checker.hub().findings();
    }

    @Override
    public boolean checkerEnabled() {
        return checker.settings().enabled();
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
        return faults.snapshot();
    }

    @Override
    public List<String> log(String device) {
        return require(device).log.snapshot();
    }

    public void addFaultListener(FaultListener l) {
        if (l != null) {
            faultListeners.addIfAbsent(l);
        }
    }

    public void removeFaultListener(FaultListener l) {
        faultListeners.remove(l);
    }

    /** Calls, waiting at the device's gates for a swap to end (diagnostics and tests). */
    public int waitingCalls(String device) {
        PlatformDevice d = require(device);
        return d.mapGate.waiting() + d.busGate.waiting();
    }

    /** Live mappings and coherent buffers of the device now. */
    public int liveMappings(String device) {
        PlatformDevice d = require(device);
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
            for (PlatformDevice d : devices.values()) {
                try {
                    remove(d);
                } catch (RuntimeException e) {
                    d.log("release at shutdown failed: " + e);
                }
            }
            devices.clear();
            for (BackendEntry e : backends) {
                e.unregistered();
            }
            backends = List.of();
            shutDown = true;
        } finally {
            topology.unlock();
        }
    }

    // ---- internals ----------------------------------------------------------------------------------

    /** Moves every unpinned device whose best choice is better than where it is (greedy). */
    private void rebalance(String reason) {
        for (PlatformDevice d : devices.values()) {
            if (d.pinned != null) {
                continue;
            }
            BackendEntry best = choose(d, d.sim);
            if (best != null && best != d.backend()) {
                swap(d, best, reason, null);
            }
        }
    }

    /** The binding rule: the best backend matching the device's filter that accepts {@code sim}. */
    private BackendEntry choose(PlatformDevice d, SimDmaDevice sim) {
        TargetFilter f = d.filter;
        for (BackendEntry e : backends) {
            if (f != null && !f.matches(e.properties())) {
                continue;
            }
            if (d.refused.contains(e)) {
                continue;
            }
            if (accepts(e, d, sim)) {
                return e;
            }
        }
        return null;
    }

    private static boolean accepts(BackendEntry e, PlatformDevice d, SimDmaDevice sim) {
        try {
            return e.backend().accepts(sim);
        } catch (RuntimeException ex) {
            d.log("backend " + e.name() + " failed to answer whether it accepts the device: " + ex);
            return false;
        }
    }

    private void remove(PlatformDevice d) {
        if (d.swapper != null) {
            throw new IllegalStateException("device " + d.name + " is being swapped now; remove it after the swap");
        }
        swap(d, null, "device removed", null);
        devices.remove(d.name, d);
    }

    private PlatformDevice newDevice(DeviceDescriptor descriptor, DeviceOrigin origin) {
        return new PlatformDevice(descriptor.name(), origin, memory, checker, d -> newSim(d, descriptor));
    }

    /** A device object whose warnings and faults land in the device's log, counters and the fault listeners. */
    private SimDmaDevice newSim(PlatformDevice d, DeviceDescriptor descriptor) {
        return new SimDmaDevice(descriptor, memory, allocator, line -> warned(d, line), fault -> faulted(d, fault));
    }

    private static void warned(PlatformDevice d, String line) {
        d.log.add(line);
        d.currentStats().increment(Stat.WARNINGS);
    }

    private void faulted(PlatformDevice d, DmaFault fault) {
        d.currentStats().increment(Stat.FAULTS);
        faults.add(fault);
        PlatformDevice outer = deliveringFaultOf.get();
        deliveringFaultOf.set(d);
        try {
            for (FaultListener l : faultListeners) {
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
     * Runs a swap, refusing one a fault listener starts for the faulting device on the faulting
     * thread: that thread is inside one of the device's accesses, which the swap would wait for.
     */
    private SwapProtocol.Outcome swap(PlatformDevice d, BackendEntry target, String reason, SimDmaDevice replacement) {
        if (deliveringFaultOf.get() == d) {
            throw new IllegalStateException("device " + d.name + " cannot be rebound by a fault listener on the thread "
                    + "that reported its fault (the swap would wait for that very access); rebind from another thread");
        }
        return swapper.run(d, target, reason, replacement);
    }

    private BackendEntry entryOf(DmaBackend backend) {
        for (BackendEntry e : backends) {
            if (e.backend() == backend) {
                return e;
            }
        }
        return null;
    }

    private PlatformDevice require(String name) {
        PlatformDevice d = name == null ? null : devices.get(name);
        if (d == null) {
            throw new IllegalArgumentException("unknown device '" + name + "'; devices: "
                    + (devices.isEmpty() ? "none" : String.join(", ", devices.keySet())));
        }
        return d;
    }

    private void checkOpen() {
        if (shutDown) {
            throw new IllegalStateException("the platform has shut down");
        }
    }

    private static String normalize(String filter) {
        return filter == null || filter.isBlank() ? null : filter.trim();
    }

    /** Null for no target: {@link TargetFilter} (and OSGi's classes) load only for a device that has one. */
    private static TargetFilter compile(String device, String filter) {
        return filter == null ? null : TargetFilter.parse(device, filter);
    }

    private static String describe(DeviceOrigin o) {
        switch (o) {
            case DEFAULT:
                return "a default device; set defaultDevices=false in org.iommulab.platform or pick another name";
            case CONFIGURATION:
                return "from another org.iommulab.device configuration";
            default:
                return "added by PlatformAdmin.addDevice";
        }
    }

    @Override
    public String toString() {
        return "DevicePlatform[" + devices.size() + " devices, backends " + backends() + "]";
    }
}
