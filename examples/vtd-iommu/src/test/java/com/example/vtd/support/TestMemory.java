package com.example.vtd.support;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.iommulab.api.platform.MemoryRegion;
import org.iommulab.api.platform.PhysicalMemory;

/**
 * A small sparse physical memory for unit tests, written against the exported API only: RAM at
 * 1 GiB (256 MiB) and at 32 GiB (256 MiB), 4 KiB pages backed when first written, untouched RAM
 * reading as zero. Not thread-safe beyond one lock; fine for tests.
 */
public final class TestMemory implements PhysicalMemory {
    public static final long LOW = 0x4000_0000L;
    public static final long HIGH = 0x8_0000_0000L;
    public static final long SIZE = 256L << 20;

    private final List<MemoryRegion> regions = List.of(new MemoryRegion(LOW, SIZE), new MemoryRegion(HIGH, SIZE));
    private final Map<Long, byte[]> pages = new HashMap<>();

    @Override
    public List<MemoryRegion> regions() {
        return regions;
    }

    @Override
    public boolean isRam(long addr, long len) {
        for (MemoryRegion r : regions) {
            if (len >= 0 && r.contains(addr, len)) {
                return true;
            }
        }
        return false;
    }

    private synchronized byte[] page(long addr, boolean create) {
        long pfn = addr >>> 12;
        byte[] p = pages.get(pfn);
        if (p == null && create) {
            p = new byte[4096];
            pages.put(pfn, p);
        }
        return p;
    }

    private void check(long addr, long len) {
        if (!isRam(addr, len)) {
            throw new IllegalArgumentException(String.format("0x%x+%d is not RAM", addr, len));
        }
    }

    @Override
    public synchronized byte readByte(long addr) {
        check(addr, 1);
        byte[] p = page(addr, false);
        return p == null ? 0 : p[(int) (addr & 0xfff)];
    }

    @Override
    public synchronized void writeByte(long addr, byte value) {
        check(addr, 1);
        page(addr, true)[(int) (addr & 0xfff)] = value;
    }

    @Override
    public synchronized int readInt(long addr) {
        int v = 0;
        for (int i = 3; i >= 0; i--) {
            v = v << 8 | (readByte(addr + i) & 0xff);
        }
        return v;
    }

    @Override
    public synchronized void writeInt(long addr, int value) {
        for (int i = 0; i < 4; i++) {
            writeByte(addr + i, (byte) (value >>> (8 * i)));
        }
    }

    @Override
    public synchronized long readLong(long addr) {
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = v << 8 | (readByte(addr + i) & 0xff);
        }
        return v;
    }

    @Override
    public synchronized void writeLong(long addr, long value) {
        for (int i = 0; i < 8; i++) {
            writeByte(addr + i, (byte) (value >>> (8 * i)));
        }
    }

    @Override
    public synchronized void read(long addr, byte[] dst, int off, int len) {
        check(addr, len);
        for (int i = 0; i < len; i++) {
            dst[off + i] = readByte(addr + i);
        }
    }

    @Override
    public synchronized void write(long addr, byte[] src, int off, int len) {
        check(addr, len);
        for (int i = 0; i < len; i++) {
            writeByte(addr + i, src[off + i]);
        }
    }

    @Override
    public synchronized void fill(long addr, long len, byte value) {
        check(addr, len);
        for (long i = 0; i < len; i++) {
            writeByte(addr + i, value);
        }
    }

    @Override
    public synchronized void copy(long src, long dst, long len) {
        byte[] tmp = new byte[(int) len];
        read(src, tmp, 0, (int) len);
        write(dst, tmp, 0, (int) len);
    }

    @Override
    public synchronized long backedBytes() {
        return pages.size() * 4096L;
    }
}
