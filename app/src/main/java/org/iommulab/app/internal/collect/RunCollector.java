package org.iommulab.app.internal.collect;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.iommulab.api.admin.MappingListener;
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
    private final Map<String, IovaDomain> domains = new LinkedHashMap<>();
    private final BucketSeries poolUsed = new BucketSeries();
    private long lastUsed = -1;
    private long lastTime;

    /** @param pool the swiotlb pool's statistics now, or null when there is no pool */
    public RunCollector(Supplier<SwiotlbStats> pool) {
        this.pool = pool;
    }

    @Override
    public synchronized void mappingChanged(String device, String backend, boolean live, long dmaAddress, long size,
            long simNanos) {
        String b = backend == null ? "(unbound)" : backend;
        String key = device + "@" + b;
        if (live) {
            domains.computeIfAbsent(key, k -> new IovaDomain(device, b)).mapped(dmaAddress, size, simNanos);
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
