package org.iommulab.api.platform;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Reads and writes at 64-bit addresses: physical addresses for {@link PhysicalMemory} and a
 * driver's CPU view, bus addresses for a {@link BusMaster}. Multi-byte words are little-endian.
 * No method allocates.
 */
@ProviderType
public interface MemoryAccess {
    byte readByte(long addr);

    void writeByte(long addr, byte value);

    /** Little-endian 32-bit read. */
    int readInt(long addr);

    /** Little-endian 32-bit write. */
    void writeInt(long addr, int value);

    /** Little-endian 64-bit read. */
    long readLong(long addr);

    /** Little-endian 64-bit write. */
    void writeLong(long addr, long value);

    /** Copies {@code len} bytes at {@code addr} into {@code dst[off..off+len)}. */
    void read(long addr, byte[] dst, int off, int len);

    /** Copies {@code src[off..off+len)} to {@code addr}. */
    void write(long addr, byte[] src, int off, int len);

    /** Sets {@code len} bytes at {@code addr} to {@code value}. */
    void fill(long addr, long len, byte value);
}
