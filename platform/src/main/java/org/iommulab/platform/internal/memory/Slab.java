package org.iommulab.platform.internal.memory;

import org.iommulab.api.platform.Zone;

/**
 * One page cut into equal objects of a kmalloc size class, Linux's slab in its simplest form:
 * a bitmap of live objects (at most 64 per page with the 64-byte minimum class).
 */
final class Slab {
    final long page;
    final int objectSize;
    final int capacity;
    /** The zone it was asked for in, whose partial list it returns to. */
    final Zone zone;
    private long used;

    Slab(long page, int objectSize, int pageSize, Zone zone) {
        this.zone = zone;
        this.page = page;
        this.objectSize = objectSize;
        this.capacity = pageSize / objectSize;
    }

    boolean full() {
        return Long.bitCount(used) == capacity;
    }

    boolean empty() {
        return used == 0;
    }

    /** Takes the lowest free object; the slab must not be full. */
    long take() {
        int i = Long.numberOfTrailingZeros(~used);
        used |= 1L << i;
        return page + (long) i * objectSize;
    }

    /** True when an object starts exactly at {@code addr} and is live. */
    boolean isLiveStart(long addr) {
        long off = addr - page;
        return off % objectSize == 0 && (used & (1L << (off / objectSize))) != 0;
    }

    /** Start of the live object containing {@code addr}, or -1. */
    long liveObjectContaining(long addr) {
        int i = (int) ((addr - page) / objectSize);
        return i < capacity && (used & (1L << i)) != 0 ? page + (long) i * objectSize : -1;
    }

    /** True when object {@code i} of this page is live. */
    boolean isLive(int i) {
        return (used & (1L << i)) != 0;
    }

    void release(long addr) {
        used &= ~(1L << ((addr - page) / objectSize));
    }
}
