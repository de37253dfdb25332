package org.iommulab.app.internal.collect;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.iommulab.api.admin.MappingListener;
import org.iommulab.api.backend.ReservedRegion;
import org.iommulab.api.iommu.PageTableCensus;
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
    private final DomainProbe probe;
    private final Map<String, IovaDomain> domains = new LinkedHashMap<>();
    private final BucketSeries poolUsed = new BucketSeries();
    private long lastUsed = -1;
    private long lastTime;

    /** @param pool the swiotlb pool's statistics now, or null when there is no pool */
    public RunCollector(Supplier<SwiotlbStats> pool) {
        this(pool, DomainProbe.NONE);
    }

    /**
     * @param probe asked, from the mapping thread and outside this collector's lock, for a
     *        domain's reserved regions at its first mapping (again at the next while it cannot
     *        tell), and for a census of its page-table tree each time its live bytes reach twice
     *        those of its last census (so at most 64 times per domain, the last near its peak)
     */
    public RunCollector(Supplier<SwiotlbStats> pool, DomainProbe probe) {
        this.pool = pool;
        this.probe = probe;
    }

    @Override
    public void mappingChanged(String device, String backend, boolean live, long dmaAddress, long size, long simNanos) {
        String b = backend == null ? "(unbound)" : backend;
        String key = device + "@" + b;
        List<ReservedRegion> reserved = null;
        if (live && backend != null && !regionsKnown(key)) {
            // Asked outside the lock: the platform answers from the device's attachment.
            reserved = probe.reservedRegions(device, backend);
        }
        long censusDue = changed(device, b, key, live, dmaAddress, size, simNanos, reserved);
        if (censusDue > 0) {
            PageTableCensus c = probe.census(device, backend);
            if (c != null) {
                synchronized (this) {
                    domains.get(key).peakCensus(c, censusDue);
                }
            }
        }
    }

    /**
     * Takes a census of {@code device}'s page-table tree on {@code backend}, as the tree stands
     * at the end of that backend's group of runs (before the device moves on); nothing when the
     * device is not on it or made no mapping there while the collector listened.
     */
    public void groupEnded(String device, String backend) {
        String key = device + "@" + backend;
        synchronized (this) {
            if (!domains.containsKey(key)) {
                return;
            }
        }
        PageTableCensus c = probe.census(device, backend);
        if (c != null) {
            synchronized (this) {
                domains.get(key).endCensus(c);
            }
        }
    }

    private synchronized boolean regionsKnown(String key) {
        IovaDomain d = domains.get(key);
        return d != null && d.reserved() != null;
    }

    /** Records the change; returns the live bytes when a peak census is due, else 0. */
    private synchronized long changed(String device, String b, String key, boolean live, long dmaAddress, long size,
            long simNanos, List<ReservedRegion> reserved) {
        long due = 0;
        if (live) {
            IovaDomain d = domains.computeIfAbsent(key, k -> new IovaDomain(device, b));
            if (reserved != null && d.reserved() == null) {
                d.reserved(reserved);
            }
            d.mapped(dmaAddress, size, simNanos);
            due = d.censusDue();
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
        return due;
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
