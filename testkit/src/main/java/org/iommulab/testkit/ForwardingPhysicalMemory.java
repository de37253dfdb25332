package org.iommulab.testkit;

import java.util.List;

import org.iommulab.api.platform.MemoryRegion;
import org.iommulab.api.platform.PhysicalMemory;

/**
 * PhysicalMemory that hands every call to another, for tests that change one or two accesses
 * (drop a zero fill, fail a write into a buffer) and override only those.
 *
 * <p>Thread safety: adds none and takes none away: as thread-safe as {@code inner} and the
 * overrides.
 */
public class ForwardingPhysicalMemory implements PhysicalMemory {
    protected final PhysicalMemory inner;

    public ForwardingPhysicalMemory(PhysicalMemory inner) {
        if (inner == null) {
            throw new IllegalArgumentException("forwarding memory needs the memory it forwards to");
        }
        this.inner = inner;
    }

    @Override
    public List<MemoryRegion> regions() {
        return inner.regions();
    }

    @Override
    public boolean isRam(long addr, long len) {
        return inner.isRam(addr, len);
    }

    @Override
    public void copy(long src, long dst, long len) {
        inner.copy(src, dst, len);
    }

    @Override
    public long backedBytes() {
        return inner.backedBytes();
    }

    @Override
    public byte readByte(long addr) {
        return inner.readByte(addr);
    }

    @Override
    public void writeByte(long addr, byte value) {
        inner.writeByte(addr, value);
    }

    @Override
    public int readInt(long addr) {
        return inner.readInt(addr);
    }

    @Override
    public void writeInt(long addr, int value) {
        inner.writeInt(addr, value);
    }

    @Override
    public long readLong(long addr) {
        return inner.readLong(addr);
    }

    @Override
    public void writeLong(long addr, long value) {
        inner.writeLong(addr, value);
    }

    @Override
    public void read(long addr, byte[] dst, int off, int len) {
        inner.read(addr, dst, off, len);
    }

    @Override
    public void write(long addr, byte[] src, int off, int len) {
        inner.write(addr, src, off, len);
    }

    @Override
    public void fill(long addr, long len, byte value) {
        inner.fill(addr, len, value);
    }
}
