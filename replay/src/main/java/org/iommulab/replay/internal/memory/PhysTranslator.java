package org.iommulab.replay.internal.memory;

import java.util.Arrays;

import org.iommulab.api.platform.PageAllocator;
import org.iommulab.api.platform.Zone;

/**
 * Gives the physical memory a trace names a home in simulated RAM. The trace's physical
 * addresses are a real machine's; the simulation has its own RAM, so each distinct trace page
 * (4 KiB frame) is mapped to a simulated page allocated from the platform's page allocator the
 * first time a call names it, and every later call naming that page gets the same simulated
 * page. In-page offsets are kept, so alignment and sub-page sharing look as they did; a
 * range spanning several trace pages gets a physically contiguous simulated run, so a single
 * mapping stays one contiguous buffer. Pages below 4 GiB in the trace come from
 * {@link Zone#DMA32}, others from {@link Zone#HIGH} (else {@link Zone#NORMAL}), so what a 32-bit
 * device can reach without bouncing stays the same.
 *
 * <p>When a range mixes pages seen before with new ones, or pages seen before that landed
 * apart, no contiguous run can hold all of them at their first homes: the range then gets a
 * fresh run of its own (an <em>alias</em>, counted), and only its pages not seen before take
 * their homes there. The result is deterministic for a given trace and allocator state.
 * Pages stay allocated until {@link #release()}.
 */
public final class PhysTranslator {
    private static final int SHIFT = PageAllocator.PAGE_SHIFT;
    private static final long PAGE = PageAllocator.PAGE_SIZE;
    private static final long FOUR_GIB = 1L << 32;

    private final PageAllocator allocator;
    private final LongLongMap pages = new LongLongMap();
    private long[] allocations = new long[256];
    private int allocationCount;
    private long aliases;
    private long failures;

    public PhysTranslator(PageAllocator allocator) {
        this.allocator = allocator;
    }

    /**
     * The simulated physical address of trace range {@code [tracePhys, tracePhys+size)}, contiguous
     * in simulated RAM, or {@link PageAllocator#NO_MEMORY} when the simulated RAM is full.
     */
    public long translate(long tracePhys, long size) {
        if (tracePhys < 0 || size <= 0 || tracePhys + size < tracePhys) {
            throw new IllegalArgumentException(String.format("bad trace physical range 0x%x+0x%x", tracePhys, size));
        }
        long first = tracePhys >>> SHIFT;
        long last = (tracePhys + size - 1) >>> SHIFT;
        long count = last - first + 1;
        long offset = tracePhys & (PAGE - 1);
        long base = pages.get(first);
        if (base != LongLongMap.MISSING) {
            boolean contiguous = true;
            for (long p = 1; p < count && contiguous; p++) {
                contiguous = pages.get(first + p) == base + p;
            }
            if (contiguous) {
                return (base << SHIFT) + offset;
            }
        }
        boolean anySeen = base != LongLongMap.MISSING;
        for (long p = 1; p < count && !anySeen; p++) {
            anySeen = pages.get(first + p) != LongLongMap.MISSING;
        }
        long run = allocate(count, tracePhys);
        if (run == PageAllocator.NO_MEMORY) {
            failures++;
            return PageAllocator.NO_MEMORY;
        }
        if (anySeen) {
            aliases++;
        }
        long runPfn = run >>> SHIFT;
        for (long p = 0; p < count; p++) {
            if (pages.get(first + p) == LongLongMap.MISSING) {
                pages.put(first + p, runPfn + p);
            }
        }
        return run + offset;
    }

    private long allocate(long count, long tracePhys) {
        long a;
        if (tracePhys < FOUR_GIB) {
            a = allocator.allocPages(count, Zone.DMA32);
        } else {
            a = allocator.allocPages(count, Zone.HIGH);
            if (a == PageAllocator.NO_MEMORY) {
                a = allocator.allocPages(count, Zone.NORMAL);
            }
        }
        if (a != PageAllocator.NO_MEMORY) {
            if (allocationCount == allocations.length) {
                allocations = Arrays.copyOf(allocations, allocationCount * 2);
            }
            allocations[allocationCount++] = a;
        }
        return a;
    }

    /** Distinct trace pages given a home. */
    public long pages() {
        return pages.size();
    }

    /** Ranges that needed a run of their own (see the class comment). */
    public long aliases() {
        return aliases;
    }

    /** Ranges for which the simulated RAM had no room. */
    public long failures() {
        return failures;
    }

    /** Frees every simulated page this translator allocated. */
    public void release() {
        for (int i = 0; i < allocationCount; i++) {
            try {
                allocator.free(allocations[i]);
            } catch (IllegalArgumentException e) {
                // freed by someone else already: nothing left to release
            }
        }
        allocationCount = 0;
    }
}
