package com.example.vtd.support;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

import org.iommulab.api.platform.PageAllocator;
import org.iommulab.api.platform.Zone;

/**
 * A page allocator for unit tests against the exported API: pages from {@link TestMemory}'s
 * regions (DMA32 below 4 GiB, NORMAL above), freed single pages reused last-in first-out, and,
 * as the platform's allocator and Linux's, nothing zeroed on allocation or free: a page that
 * held data comes back holding it. kmalloc takes whole pages.
 */
public final class TestAllocator implements PageAllocator {
    private long nextLow = TestMemory.LOW;
    private long nextHigh = TestMemory.HIGH;
    private final ArrayDeque<Long> freeLow = new ArrayDeque<>();
    private final ArrayDeque<Long> freeHigh = new ArrayDeque<>();
    private final TreeMap<Long, Long> live = new TreeMap<>();
    private final Map<Long, Long> sizes = new HashMap<>();
    private long allocated;

    @Override
    public synchronized long allocPages(long count, Zone zone) {
        if (count <= 0 || zone == null) {
            throw new IllegalArgumentException("bad allocation");
        }
        boolean low = zone == Zone.DMA32;
        ArrayDeque<Long> free = low ? freeLow : freeHigh;
        long addr;
        if (count == 1 && !free.isEmpty()) {
            addr = free.pop();
        } else if (low) {
            addr = align(nextLow, count);
            if (addr + count * PAGE_SIZE > TestMemory.LOW + TestMemory.SIZE) {
                return NO_MEMORY;
            }
            nextLow = addr + count * PAGE_SIZE;
        } else {
            addr = align(nextHigh, count);
            if (addr + count * PAGE_SIZE > TestMemory.HIGH + TestMemory.SIZE) {
                return NO_MEMORY;
            }
            nextHigh = addr + count * PAGE_SIZE;
        }
        live.put(addr, count * PAGE_SIZE);
        allocated += count * PAGE_SIZE;
        return addr;
    }

    private static long align(long addr, long count) {
        long a = Long.highestOneBit(count) == count ? count * PAGE_SIZE : PAGE_SIZE;
        return (addr + a - 1) & -a;
    }

    @Override
    public long kmalloc(long size, Zone zone) {
        return allocPages((size + PAGE_SIZE - 1) / PAGE_SIZE, zone);
    }

    @Override
    public synchronized void free(long addr) {
        Long size = live.remove(addr);
        if (size == null) {
            throw new IllegalArgumentException(String.format("no allocation starts at 0x%x", addr));
        }
        allocated -= size;
        if (size == PAGE_SIZE) {
            (addr < 1L << 32 ? freeLow : freeHigh).push(addr);
        }
    }

    @Override
    public synchronized boolean isAllocated(long addr) {
        return allocationStart(addr) != NO_MEMORY;
    }

    @Override
    public synchronized long allocationStart(long addr) {
        Map.Entry<Long, Long> e = live.floorEntry(addr);
        return e != null && addr < e.getKey() + e.getValue() ? e.getKey() : NO_MEMORY;
    }

    @Override
    public synchronized long allocationSize(long start) {
        Long s = live.get(start);
        return s == null ? 0 : s;
    }

    @Override
    public synchronized long allocatedBytes() {
        return allocated;
    }

    @Override
    public long freeBytes(Zone zone) {
        return zone == Zone.DMA32 ? TestMemory.LOW + TestMemory.SIZE - nextLow : TestMemory.HIGH + TestMemory.SIZE - nextHigh;
    }
}
