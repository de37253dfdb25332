package org.iommulab.api.platform;

/** One RAM region of the physical address space: {@code [base, base+size)}. */
public final class MemoryRegion {
    private final long base;
    private final long size;

    public MemoryRegion(long base, long size) {
        if (base < 0 || size <= 0 || base + size < base) {
            throw new IllegalArgumentException("bad memory region 0x" + Long.toHexString(base) + "+0x" + Long.toHexString(size));
        }
        this.base = base;
        this.size = size;
    }

    public long base() {
        return base;
    }

    public long size() {
        return size;
    }

    /** First address past the region. */
    public long end() {
        return base + size;
    }

    public boolean contains(long addr, long len) {
        return addr >= base && len >= 0 && addr + len <= base + size && addr + len >= addr;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MemoryRegion && ((MemoryRegion) o).base == base && ((MemoryRegion) o).size == size;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(base) * 31 + Long.hashCode(size);
    }

    @Override
    public String toString() {
        return String.format("[0x%x-0x%x)", base, base + size);
    }
}
