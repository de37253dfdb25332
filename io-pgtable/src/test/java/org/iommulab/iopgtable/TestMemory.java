package org.iommulab.iopgtable;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.iommulab.api.platform.MemoryRegion;
import org.iommulab.api.platform.PhysicalMemory;

/**
 * RAM for this bundle's tests. They cannot build the platform's memory: the platform's tests
 * use testkit, which is built on this bundle, so a test dependency on the platform here would
 * close a cycle. Regions of RAM whose 4 KiB pages get their bytes on the first write (untouched
 * RAM reads as zero), little-endian as the platform's memory is; an access outside RAM throws
 * IllegalArgumentException (the walker asks {@link #isRam} before it fetches).
 *
 * <p>Not thread-safe: one test thread.
 */
public final class TestMemory implements PhysicalMemory {
    private static final int PAGE = 4096;
    private final List<MemoryRegion> regions;
    private final Map<Long, byte[]> pages = new HashMap<>();

    public TestMemory(MemoryRegion... regions) {
        this.regions = List.of(regions);
    }

    /** The platform's default layout: 3 GiB of RAM at 1 GiB and 4 GiB at 4 GiB. */
    public static TestMemory defaultLayout() {
        return new TestMemory(new MemoryRegion(0x4000_0000L, 0xC000_0000L), new MemoryRegion(0x1_0000_0000L, 0x1_0000_0000L));
    }

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

    @Override
    public long backedBytes() {
        return (long) pages.size() * PAGE;
    }

    @Override
    public void read(long addr, byte[] dst, int off, int len) {
        check(addr, len);
        for (int i = 0; i < len; i++) {
            byte[] p = pages.get((addr + i) & -PAGE);
            dst[off + i] = p == null ? 0 : p[(int) ((addr + i) & (PAGE - 1))];
        }
    }

    @Override
    public void write(long addr, byte[] src, int off, int len) {
        check(addr, len);
        for (int i = 0; i < len; i++) {
            pages.computeIfAbsent((addr + i) & -PAGE, k -> new byte[PAGE])[(int) ((addr + i) & (PAGE - 1))] = src[off + i];
        }
    }

    private void check(long addr, long len) {
        if (!isRam(addr, len)) {
            throw new IllegalArgumentException(String.format("[0x%x, +0x%x) is not RAM", addr, len));
        }
    }

    private ByteBuffer bytes(long addr, int len) {
        byte[] b = new byte[len];
        read(addr, b, 0, len);
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }

    private void put(long addr, ByteBuffer b) {
        write(addr, b.array(), 0, b.capacity());
    }

    @Override
    public byte readByte(long addr) {
        return bytes(addr, 1).get(0);
    }

    @Override
    public void writeByte(long addr, byte value) {
        put(addr, ByteBuffer.allocate(1).put(0, value));
    }

    @Override
    public int readInt(long addr) {
        return bytes(addr, 4).getInt(0);
    }

    @Override
    public void writeInt(long addr, int value) {
        put(addr, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, value));
    }

    @Override
    public long readLong(long addr) {
        return bytes(addr, 8).getLong(0);
    }

    @Override
    public void writeLong(long addr, long value) {
        put(addr, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, value));
    }

    @Override
    public void fill(long addr, long len, byte value) {
        check(addr, len);
        for (long i = 0; i < len; i++) {
            pages.computeIfAbsent((addr + i) & -PAGE, k -> new byte[PAGE])[(int) ((addr + i) & (PAGE - 1))] = value;
        }
    }

    @Override
    public void copy(long src, long dst, long len) {
        byte[] b = new byte[Math.toIntExact(len)];
        read(src, b, 0, b.length);
        write(dst, b, 0, b.length);
    }
}
