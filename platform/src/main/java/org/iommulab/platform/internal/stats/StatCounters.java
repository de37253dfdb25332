package org.iommulab.platform.internal.stats;

import java.util.concurrent.atomic.AtomicLongArray;

import org.iommulab.api.admin.DeviceStats;
import org.iommulab.api.admin.Stat;
import org.iommulab.api.backend.BackendCounter;
import org.iommulab.api.backend.DeviceBinding;

/**
 * The counters of one device on one backend. The platform's own counts live in an
 * {@link AtomicLongArray} (one slot per {@link Stat}, no allocation per count). The backend's
 * counts (bounce bytes, IOTLB hits and misses) are read from the live {@link DeviceBinding} at
 * snapshot time, and folded in here when the device detaches, so a snapshot still holds them
 * after the device moved to another backend.
 */
public final class StatCounters {
    private static final Stat[] STATS = Stat.values();

    private final String device;
    private final String backend;
    private final AtomicLongArray counts = new AtomicLongArray(STATS.length);
    private volatile DeviceBinding live;

    public StatCounters(String device, String backend) {
        this.device = device;
        this.backend = backend;
    }

    public String device() {
        return device;
    }

    public String backend() {
        return backend;
    }

    /** Adds one to {@code stat}. */
    public void increment(Stat stat) {
        counts.incrementAndGet(stat.ordinal());
    }

    /** Adds {@code delta} to {@code stat}. */
    public void add(Stat stat, long delta) {
        counts.addAndGet(stat.ordinal(), delta);
    }

    /**
     * Adds {@code delta} to {@code stat} for a caller that holds the one lock every writer of
     * that stat holds (the device's live-mapping table, for {@link Stat#MAPS},
     * {@link Stat#UNMAPS} and {@link Stat#MAPPED_BYTES}): a plain read and a release write, no
     * atomic read-modify-write on the map and unmap paths. Readers still see whole values.
     */
    public void addLocked(Stat stat, long delta) {
        int i = stat.ordinal();
        counts.setRelease(i, counts.getPlain(i) + delta);
    }

    /** The platform-side count of {@code stat}, without the live binding's counters. */
    public long count(Stat stat) {
        return counts.get(stat.ordinal());
    }

    /** From now on the backend's counters are read from {@code binding}. */
    public void attached(DeviceBinding binding) {
        live = binding;
    }

    /**
     * Folds the binding's counters into the stored counts before it detaches, so they survive
     * it; a no-op when {@code binding} is not the one attached here.
     */
    public void detaching(DeviceBinding binding) {
        if (binding == null || live != binding) {
            return;
        }
        for (Stat s : STATS) {
            long v = fromBinding(binding, s);
            if (v != 0) {
                counts.addAndGet(s.ordinal(), v);
            }
        }
        live = null;
    }

    /** One stat as {@link #snapshot()} would give it, without reading the others. */
    public long read(Stat stat) {
        DeviceBinding b = live;
        return counts.get(stat.ordinal()) + (b == null ? 0 : fromBinding(b, stat));
    }

    /** An immutable snapshot: the platform's counts plus the live binding's, read now. */
    public DeviceStats snapshot() {
        long[] v = new long[STATS.length];
        DeviceBinding b = live;
        for (Stat s : STATS) {
            v[s.ordinal()] = counts.get(s.ordinal()) + (b == null ? 0 : fromBinding(b, s));
        }
        return new DeviceStats(device, backend, v);
    }

    /** The part of {@code stat} a backend counts; 0 for the stats the platform counts itself. */
    static long fromBinding(DeviceBinding b, Stat stat) {
        switch (stat) {
            case BOUNCED_BYTES:
                return counter(b, BackendCounter.BOUNCED_BYTES_TO_DEVICE) + counter(b, BackendCounter.BOUNCED_BYTES_FROM_DEVICE);
            case IOTLB_HITS:
                return counter(b, BackendCounter.IOTLB_HITS);
            case IOTLB_MISSES:
                return counter(b, BackendCounter.IOTLB_MISSES);
            default:
                return 0;
        }
    }

    /** A backend counter with -1 ("no such thing", e.g. no IOTLB) read as 0. */
    private static long counter(DeviceBinding b, BackendCounter c) {
        long v = b.counter(c);
        return v < 0 ? 0 : v;
    }
}
