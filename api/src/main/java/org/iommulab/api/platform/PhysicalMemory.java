package org.iommulab.api.platform;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The simulated 64-bit physical address space: RAM regions below and above 4 GiB, backed only
 * where touched (untouched RAM reads as zero). Everything a real IOMMU keeps in memory lives
 * here: page tables, stream tables, queues, bounce pools. An access outside RAM throws
 * {@link IllegalArgumentException} and changes nothing.
 */
@ProviderType
public interface PhysicalMemory extends MemoryAccess {
    /** The RAM regions, sorted by base address. */
    List<MemoryRegion> regions();

    /** True when {@code [addr, addr+len)} lies entirely in one RAM region. */
    boolean isRam(long addr, long len);

    /** Copies {@code len} bytes from {@code src} to {@code dst}; overlapping ranges behave as memmove. */
    void copy(long src, long dst, long len);

    /** Bytes of RAM that are backed because something touched them. */
    long backedBytes();
}
