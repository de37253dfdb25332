package org.iommulab.swiotlb.internal.direct;

import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

import org.iommulab.api.backend.DmaDevice;
import org.iommulab.api.swiotlb.SwiotlbPool;

/**
 * The swiotlb pools one device's bounce buffers live in: the pool registered now, and any pool
 * whose service went away (its bundle stopped, or was updated) while it still held buffers of
 * the device. A withdrawn pool keeps the buffers mapped before until they are unmapped, so
 * unmap and sync must reach the pool a buffer came from, not the pool registered now (which
 * may be none, or a new one): else a bounced buffer's data would be lost with the pool's
 * bundle, although the device is bound to a backend of another bundle. New buffers always come
 * from the pool registered now. Thread-safe.
 */
final class PoolsInUse {
    private final Supplier<SwiotlbPool> current;
    /** Pools a buffer of the device was mapped in, most recent last; freed ones are dropped. */
    private final CopyOnWriteArrayList<SwiotlbPool> used = new CopyOnWriteArrayList<>();

    PoolsInUse(Supplier<SwiotlbPool> current) {
        this.current = current;
    }

    /** The pool registered now, for new buffers, or null. */
    SwiotlbPool current() {
        return current.get();
    }

    /** Notes that a buffer was mapped in {@code pool}; forgets withdrawn pools with nothing live. */
    void mapped(SwiotlbPool pool) {
        used.addIfAbsent(pool);
        if (used.size() > 1) {
            SwiotlbPool now = current.get();
            used.removeIf(p -> p != pool && p != now && p.stats().liveMappings() == 0);
        }
    }

    /** The pool holding the bounce buffer at {@code phys}, or null when it is not a bounce buffer. */
    SwiotlbPool owner(long phys) {
        SwiotlbPool now = current.get();
        if (now != null && now.isBounce(phys)) {
            return now;
        }
        for (SwiotlbPool p : used) {
            if (p != now && p.isBounce(phys)) {
                return p;
            }
        }
        return null;
    }

    /** {@link SwiotlbPool#releaseAll} in every pool the device used and the one registered now. */
    int releaseAll(DmaDevice dev) {
        int n = 0;
        SwiotlbPool now = current.get();
        if (now != null) {
            n += now.releaseAll(dev);
        }
        for (SwiotlbPool p : used) {
            if (p != now) {
                n += p.releaseAll(dev);
            }
        }
        used.clear();
        return n;
    }
}
