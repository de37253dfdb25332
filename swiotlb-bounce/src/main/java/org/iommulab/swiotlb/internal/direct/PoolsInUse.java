package org.iommulab.swiotlb.internal.direct;

import java.util.ArrayList;
import java.util.List;
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
 * from the pool registered now. Thread-safe; the lookups allocate nothing (they run on every
 * unmap and sync). iommu-dma and swiotlb-bounce each have a copy: neither imports the other.
 */
final class PoolsInUse {
    private static final SwiotlbPool[] NONE = {};

    private final Supplier<SwiotlbPool> current;
    /** Pools a buffer of the device was mapped in; replaced, never changed in place. */
    private volatile SwiotlbPool[] used = NONE;

    PoolsInUse(Supplier<SwiotlbPool> current) {
        this.current = current;
    }

    /** The pool registered now, for new buffers, or null. */
    SwiotlbPool current() {
        return current.get();
    }

    /** Notes that a buffer was mapped in {@code pool}; forgets withdrawn pools with nothing live. */
    void mapped(SwiotlbPool pool) {
        SwiotlbPool[] now = used;
        if (now.length == 1 && now[0] == pool) {
            return; // the steady state: one pool
        }
        synchronized (this) {
            SwiotlbPool registered = current.get();
            List<SwiotlbPool> next = new ArrayList<>();
            for (SwiotlbPool p : used) {
                if (p == pool || p == registered || p.stats().liveMappings() > 0) {
                    next.add(p);
                }
            }
            if (!next.contains(pool)) {
                next.add(pool);
            }
            used = next.toArray(NONE);
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
        SwiotlbPool[] all;
        synchronized (this) {
            all = used;
            used = NONE;
        }
        for (SwiotlbPool p : all) {
            if (p != now) {
                n += p.releaseAll(dev);
            }
        }
        return n;
    }
}
