package org.iommulab.replay.internal.fake;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.iommulab.api.admin.DeviceStats;
import org.iommulab.api.admin.DeviceStatus;
import org.iommulab.api.admin.PlatformAdmin;
import org.iommulab.api.admin.Stat;
import org.iommulab.api.dma.DmaApi;
import org.iommulab.api.platform.BusMaster;
import org.iommulab.api.platform.DeviceDescriptor;
import org.iommulab.api.platform.DmaFault;
import org.iommulab.api.platform.PageAllocator;
import org.iommulab.api.platform.PhysicalMemory;
import org.iommulab.platform.internal.memory.SparsePhysicalMemory;
import org.iommulab.platform.internal.memory.ZonedPageAllocator;

/**
 * A small platform for the replay's tests: the platform bundle's real sparse memory and page
 * allocator, and fake backends ({@link FakeBackend}) behind a dma-debug-like checker. Devices
 * bind to the first backend on {@link #addDevice}; {@link #bind} swaps them; {@link #lookup}
 * gives the DMA API of (device, backend) as the service registry would.
 */
public final class FakePlatform implements PlatformAdmin {
    private final SparsePhysicalMemory memory = SparsePhysicalMemory.defaultLayout();
    private final ZonedPageAllocator allocator = new ZonedPageAllocator(memory);
    private final List<FakeBackend> backends;
    private final Map<String, Dev> devices = new LinkedHashMap<>();
    private final Set<String> refusing;
    private int binds;

    private static final class Dev {
        final DeviceDescriptor descriptor;
        FakeBackend backend;
        FakeDmaApi api;
        int swaps;
        final Map<FakeBackend, long[]> stats = new HashMap<>();

        Dev(DeviceDescriptor d) {
            descriptor = d;
        }
    }

    /** A platform with {@code backends}; {@code refusing} names devices every backend but the first refuses. */
    public FakePlatform(List<FakeBackend> backends, Set<String> refusing) {
        this.backends = List.copyOf(backends);
        this.refusing = Set.copyOf(refusing);
    }

    public FakePlatform(FakeBackend... backends) {
        this(List.of(backends), Set.of());
    }

    /** The DMA API of {@code device} when it is bound to {@code backend}, else null. */
    public DmaApi lookup(String device, String backend) {
        Dev d = devices.get(device);
        return d != null && d.backend.backendName().equals(backend) ? d.api : null;
    }

    /** Mappings the device's current DMA API holds. */
    public int liveMappings(String device) {
        return devices.get(device).api.liveCount();
    }

    public int bindCount() {
        return binds;
    }

    @Override
    public PhysicalMemory memory() {
        return memory;
    }

    @Override
    public PageAllocator allocator() {
        return allocator;
    }

    @Override
    public List<String> backends() {
        List<String> names = new ArrayList<>();
        for (FakeBackend b : backends) {
            names.add(b.backendName());
        }
        return names;
    }

    @Override
    public List<DeviceStatus> devices() {
        List<DeviceStatus> all = new ArrayList<>();
        for (Dev d : devices.values()) {
            all.add(new DeviceStatus(d.descriptor, d.backend.backendName(), null, d.swaps));
        }
        return all;
    }

    @Override
    public DeviceStatus device(String name) {
        Dev d = dev(name);
        return new DeviceStatus(d.descriptor, d.backend.backendName(), null, d.swaps);
    }

    private Dev dev(String name) {
        Dev d = devices.get(name);
        if (d == null) {
            throw new IllegalArgumentException("unknown device " + name);
        }
        return d;
    }

    @Override
    public void addDevice(DeviceDescriptor descriptor) {
        if (devices.containsKey(descriptor.name())) {
            throw new IllegalArgumentException("device " + descriptor.name() + " exists");
        }
        Dev d = new Dev(descriptor);
        attach(d, backends.get(0));
        devices.put(descriptor.name(), d);
    }

    private void attach(Dev d, FakeBackend b) {
        d.backend = b;
        d.api = new FakeDmaApi(this, d.descriptor, b, d.stats.computeIfAbsent(b, x -> new long[Stat.values().length]));
    }

    @Override
    public void removeDevice(String name) {
        dev(name);
        devices.remove(name);
    }

    @Override
    public void bind(String device, String backend) {
        Dev d = dev(device);
        FakeBackend b = null;
        for (FakeBackend x : backends) {
            if (x.backendName().equals(backend)) {
                b = x;
            }
        }
        if (b == null) {
            throw new IllegalArgumentException("unknown backend " + backend);
        }
        if (b != backends.get(0) && refusing.contains(device)) {
            throw new IllegalStateException(backend + " does not accept " + device);
        }
        binds++;
        d.swaps++;
        attach(d, b);
    }

    @Override
    public BusMaster busMaster(String device) {
        throw new UnsupportedOperationException("no device-side DMA in replay tests");
    }

    @Override
    public DeviceStats stats(String device) {
        Dev d = dev(device);
        return new DeviceStats(device, d.backend.backendName(), d.stats.get(d.backend));
    }

    @Override
    public List<DeviceStats> allStats() {
        List<DeviceStats> all = new ArrayList<>();
        for (Dev d : devices.values()) {
            for (Map.Entry<FakeBackend, long[]> e : d.stats.entrySet()) {
                all.add(new DeviceStats(d.descriptor.name(), e.getKey().backendName(), e.getValue()));
            }
        }
        return all;
    }

    @Override
    public List<DmaFault> faults() {
        return List.of();
    }

    @Override
    public List<org.iommulab.api.checker.Finding> findings() {
        return List.of();
    }

    @Override
    public boolean checkerEnabled() {
        return true;
    }

    @Override
    public List<String> log(String device) {
        return List.of();
    }
}
