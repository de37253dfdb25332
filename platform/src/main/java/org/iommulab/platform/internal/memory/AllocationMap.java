package org.iommulab.platform.internal.memory;

import org.iommulab.api.platform.PageAllocator;

/**
 * The questions the DMA-API checker asks about live allocations on its hot paths (every CPU
 * access through a driver's CPU view, every mapping on an isolating backend). Implementations
 * answer without allocating; {@link ZonedPageAllocator} is one.
 */
public interface AllocationMap {
    /** Claims some allocations as the mapping's own, so they do not count as exposed. */
    @FunctionalInterface
    interface OwnAllocations {
        /** True when the allocation {@code [start, end)} belongs to the mapping being measured. */
        boolean owns(long start, long end);
    }

    /** The lowest address of {@code [from, to)} outside every live allocation, or -1 when none is. */
    long firstUnallocated(long from, long to);

    /** Bytes of {@code [from, to)} held by live allocations that {@code own} does not claim. */
    long foreignBytes(long from, long to, OwnAllocations own);

    /**
     * The allocator's own map when it has one, else an adapter over the public
     * {@link PageAllocator} queries (correct, but it allocates: fine for foreign allocators).
     */
    static AllocationMap of(PageAllocator allocator) {
        if (allocator instanceof AllocationMap) {
            return (AllocationMap) allocator;
        }
        return new AllocationMap() {
            @Override
            public long firstUnallocated(long from, long to) {
                long a = from;
                while (a < to) {
                    long s = allocator.allocationStart(a);
                    if (s == PageAllocator.NO_MEMORY) {
                        return a;
                    }
                    a = s + allocator.allocationSize(s);
                }
                return -1;
            }

            @Override
            public long foreignBytes(long from, long to, OwnAllocations own) {
                long sum = 0;
                long a = from;
                while (a < to) {
                    long s = allocator.allocationStart(a);
                    if (s == PageAllocator.NO_MEMORY) {
                        a = (a + PageAllocator.KMALLOC_MIN_ALIGN) & -PageAllocator.KMALLOC_MIN_ALIGN;
                        continue;
                    }
                    long e = s + allocator.allocationSize(s);
                    if (!own.owns(s, e)) {
                        sum += Math.min(e, to) - a;
                    }
                    a = e;
                }
                return sum;
            }
        };
    }
}
