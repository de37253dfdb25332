package org.iommulab.app.internal.collect;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Supplier;

import org.iommulab.api.admin.MappingListener;
import org.iommulab.api.admin.PlatformAdmin;
import org.iommulab.api.backend.ReservedRegion;
import org.iommulab.api.swiotlb.SwiotlbStats;

/**
 * What the report draws over time, collected while a run goes on: every device's DMA address
 * space per backend ({@link IovaDomain}) and the swiotlb pool's occupancy, both against the
 * simulated time the platform stamps on each mapping change, never the host clock. The pool is
 * sampled at each mapping change of any device; an unmap is told before the backend frees its
 * bounce slots, so a drop shows at the next change (the pool's own high-water mark is exact).
 *
 * <p>Thread-safe: devices map on their own threads; one lock guards everything (a run's
 * collector is not on any hot path the report measures).
 */
public final class RunCollector implements MappingListener {
    private final Supplier<SwiotlbStats> pool;
    private final BiFunction<String, String, List<ReservedRegion>> regions;
    private final Map<String, IovaDomain> domains = new LinkedHashMap<>();
    private final BucketSeries poolUsed = new BucketSeries();
    private long lastUsed = -1;
    private long lastTime;

    /** @param pool the swiotlb pool's statistics now, or null when there is no pool */
    public RunCollector(Supplier<SwiotlbStats> pool) {
        this(pool, (device, backend) -> null);
    }

    /**
     * @param regions the reserved regions of a device's address space on a backend (device,
     *        backend), asked once per domain at its first mapping, from the mapping thread and
     *        outside this collector's lock; null when it cannot tell (the device is not on that
     *        backend now), and then asked again at the next mapping
     */
    public RunCollector(Supplier<SwiotlbStats> pool, BiFunction<String, String, List<ReservedRegion>> regions) {
        this.pool = pool;
        this.regions = regions;
    }

    /**
     * The collector's question about reserved regions, answered by {@code admin}: the device's
     * regions while it is on {@code backend} before and after the asking (a swap in between
     * gives null, asked again later); null for a device the platform no longer has.
     */
    public static BiFunction<String, String, List<ReservedRegion>> reservedRegionsOf(PlatformAdmin admin) {
        return (device, backend) -> {
            try {
                if (!backend.equals(admin.device(device).backend())) {
                    return null;
                }
                List<ReservedRegion> r = admin.reservedRegions(device);
                return backend.equals(admin.device(device).backend()) ? r : null;
            } catch (IllegalArgumentException e) {
                return null;
            }
        };
    }

    @Override
    public void mappingChanged(String device, String backend, boolean live, long dmaAddress, long size, long simNanos) {
        String b = backend == null ? "(unbound)" : backend;
        String key = device + "@" + b;
        List<ReservedRegion> reserved = null;
        if (live && backend != null && !regionsKnown(key)) {
            // Asked outside the lock: the platform answers from the device's attachment.
            reserved = regions.apply(device, backend);
        }
        changed(device, b, key, live, dmaAddress, size, simNanos, reserved);
    }

    private synchronized boolean regionsKnown(String key) {
        IovaDomain d = domains.get(key);
        return d != null && d.reserved() != null;
    }

    private synchronized void changed(String device, String b, String key, boolean live, long dmaAddress, long size,
            long simNanos, List<ReservedRegion> reserved) {
        if (live) {
            IovaDomain d = domains.computeIfAbsent(key, k -> new IovaDomain(device, b));
            if (reserved != null && d.reserved() == null) {
                d.reserved(reserved);
            }
            d.mapped(dmaAddress, size, simNanos);
        } else if (domains.containsKey(key)) {
            // An end of a mapping made before the collector listened has nothing to close.
            domains.get(key).unmapped(dmaAddress, size, simNanos);
        }
        lastTime = Math.max(lastTime, simNanos);
        SwiotlbStats s = pool == null ? null : pool.get();
        if (s != null) {
            long used = s.usedSlots();
            if (used != lastUsed || poolUsed.isEmpty()) {
                poolUsed.add(simNanos, used);
                lastUsed = used;
            }
        }
    }

    /** Every device and backend seen, in the order first seen. */
    public synchronized List<IovaDomain> domains() {
        return new ArrayList<>(domains.values());
    }

    /** Slots of the pool in use over simulated time. */
    public synchronized BucketSeries poolUsed() {
        return poolUsed;
    }

    /** The pool now, or null. */
    public SwiotlbStats poolNow() {
        return pool == null ? null : pool.get();
    }

    /** The latest simulated time heard. */
    public synchronized long lastTime() {
        return lastTime;
    }
}
