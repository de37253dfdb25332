package org.iommulab.platform.internal.checker;

import org.iommulab.api.platform.PageAllocator;
import org.iommulab.platform.internal.memory.AllocationMap;
import org.iommulab.platform.internal.memory.ZonedPageAllocator;

/**
 * The platform-wide parts of the DMA-API checker, shared by every device's checker: the
 * settings, where findings go, the active-cacheline tracker (one per platform, as Linux's is one
 * per kernel) and the allocator's map of live allocations.
 */
public final class PlatformChecker {
    private final CheckerSettings settings;
    private final FindingHub hub = new FindingHub();
    private final CachelineTracker cachelines = new CachelineTracker();
    private final AllocationMap allocations;

    public PlatformChecker(CheckerSettings settings, PageAllocator allocator) {
        if (settings == null || allocator == null) {
            throw new IllegalArgumentException("the checker needs settings and an allocator");
        }
        this.settings = settings;
        this.allocations = AllocationMap.of(allocator);
    }

    public CheckerSettings settings() {
        return settings;
    }

    public FindingHub hub() {
        return hub;
    }

    public CachelineTracker cachelines() {
        return cachelines;
    }

    public AllocationMap allocations() {
        return allocations;
    }

    /** Tells {@code l} of every free, when the allocator is the platform's own (others are not watched). */
    public void watchFrees(ZonedPageAllocator.FreeListener l) {
        if (allocations instanceof ZonedPageAllocator) {
            ((ZonedPageAllocator) allocations).addFreeListener(l);
        }
    }

    public void unwatchFrees(ZonedPageAllocator.FreeListener l) {
        if (allocations instanceof ZonedPageAllocator) {
            ((ZonedPageAllocator) allocations).removeFreeListener(l);
        }
    }
}
