package org.iommulab.platform.internal.dma;

import org.iommulab.api.platform.MemoryAccess;

/**
 * A driver's CPU view of memory with the checker watching (beyond Linux): before each access
 * it asks whether the bytes lie in live allocations ({@code CPU_ACCESS_UNALLOCATED}) and whether
 * they belong to a streaming buffer the device owns ({@code CPU_ACCESS_DEVICE_OWNED}, the rule
 * is in {@link DeviceChecker}); the findings are delivered, then the access happens anyway, as
 * on real hardware, where nothing stops the CPU. Allocates nothing on a clean access. Keeps
 * working after its API went stale: it reports under that API's backend.
 */
final class CheckedCpuView implements MemoryAccess {
    private final MemoryAccess raw;
    private final DmaCallContext c;

    CheckedCpuView(MemoryAccess raw, DmaCallContext c) {
        this.raw = raw;
        this.c = c;
    }

    @Override
    public byte readByte(long addr) {
        check(addr, 1, false);
        return raw.readByte(addr);
    }

    @Override
    public void writeByte(long addr, byte value) {
        check(addr, 1, true);
        raw.writeByte(addr, value);
    }

    @Override
    public int readInt(long addr) {
        check(addr, 4, false);
        return raw.readInt(addr);
    }

    @Override
    public void writeInt(long addr, int value) {
        check(addr, 4, true);
        raw.writeInt(addr, value);
    }

    @Override
    public long readLong(long addr) {
        check(addr, 8, false);
        return raw.readLong(addr);
    }

    @Override
    public void writeLong(long addr, long value) {
        check(addr, 8, true);
        raw.writeLong(addr, value);
    }

    @Override
    public void read(long addr, byte[] dst, int off, int len) {
        check(addr, len, false);
        raw.read(addr, dst, off, len);
    }

    @Override
    public void write(long addr, byte[] src, int off, int len) {
        check(addr, len, true);
        raw.write(addr, src, off, len);
    }

    @Override
    public void fill(long addr, long len, byte value) {
        check(addr, len, true);
        raw.fill(addr, len, value);
    }

    /** Bad input (negative length, a range that wraps) is left to the memory, which refuses it. */
    private void check(long addr, long len, boolean write) {
        if (len <= 0 || addr < 0 || addr + len < addr) {
            return;
        }
        c.deliver(c.checker.cpuAccess(c, addr, len, write));
    }

    @Override
    public String toString() {
        return "checked CPU view of " + c.descriptor.name() + " (" + raw + ")";
    }
}
