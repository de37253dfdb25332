package org.iommulab.platform.internal.dma;

import org.iommulab.api.dma.DmaDirection;

/**
 * The checker's messages in Linux dma-debug's words ({@code kernel/dma/debug.c}: check_unmap,
 * check_sync, dma_debug_device_change), each prefixed "DMA-API: " as its {@code pr_fmt} does.
 * Where Linux has no message (a stale DMA API object, mapping a mapped table) the wording
 * follows the same style.
 */
final class DmaDebug {
    static final String PREFIX = "DMA-API: ";

    private DmaDebug() {
    }

    /** dma-debug's {@code dir2name}. */
    static String dirName(DmaDirection dir) {
        return dir == null ? "DMA_NONE" : "DMA_" + dir.name();
    }

    static String freeInvalidAddress() {
        return PREFIX + "device driver tries to free an invalid DMA memory address";
    }

    static String freeNotAllocated(long dmaAddr, long size) {
        return String.format(PREFIX + "device driver tries to free DMA memory it has not allocated "
                + "[device address=0x%016x] [size=%d bytes]", dmaAddr, size);
    }

    static String freeDifferentSize(long dmaAddr, long mapSize, long unmapSize) {
        return String.format(PREFIX + "device driver frees DMA memory with different size "
                + "[device address=0x%016x] [map size=%d bytes] [unmap size=%d bytes]", dmaAddr, mapSize, unmapSize);
    }

    static String freeWrongFunction(long dmaAddr, long size, MappingType mapped, MappingType unmapped) {
        return String.format(PREFIX + "device driver frees DMA memory with wrong function "
                + "[device address=0x%016x] [size=%d bytes] [mapped as %s] [unmapped as %s]",
                dmaAddr, size, mapped.linuxName(), unmapped.linuxName());
    }

    static String freeDifferentCpuAddress(long dmaAddr, long size, long allocCpu, long freeCpu) {
        return String.format(PREFIX + "device driver frees DMA memory with different CPU address "
                + "[device address=0x%016x] [size=%d bytes] [cpu alloc address=0x%x] [cpu free address=0x%x]",
                dmaAddr, size, allocCpu, freeCpu);
    }

    static String freeDifferentSgCount(int mapCount, int unmapCount) {
        return String.format(PREFIX + "device driver frees DMA sg list with different entry count "
                + "[map count=%d] [unmap count=%d]", mapCount, unmapCount);
    }

    static String freeDifferentDirection(long dmaAddr, long size, DmaDirection mapped, DmaDirection unmapped) {
        return String.format(PREFIX + "device driver frees DMA memory with different direction "
                + "[device address=0x%016x] [size=%d bytes] [mapped with %s] [unmapped with %s]",
                dmaAddr, size, dirName(mapped), dirName(unmapped));
    }

    static String syncNotAllocated(long dmaAddr, long size) {
        return String.format(PREFIX + "device driver tries to sync DMA memory it has not allocated "
                + "[device address=0x%016x] [size=%d bytes]", dmaAddr, size);
    }

    static String syncOutsideRange(long dmaAddr, long allocSize, long offsetPlusSize) {
        return String.format(PREFIX + "device driver syncs DMA memory outside allocated range "
                + "[device address=0x%016x] [allocation size=%d bytes] [sync offset+size=%d]",
                dmaAddr, allocSize, offsetPlusSize);
    }

    static String syncDifferentDirection(long dmaAddr, long size, DmaDirection mapped, DmaDirection synced) {
        return String.format(PREFIX + "device driver syncs DMA memory with different direction "
                + "[device address=0x%016x] [size=%d bytes] [mapped with %s] [synced with %s]",
                dmaAddr, size, dirName(mapped), dirName(synced));
    }

    static String syncDifferentSgCount(int mapCount, int syncCount) {
        return String.format(PREFIX + "device driver syncs DMA sg list with different entry count "
                + "[map count=%d] [sync count=%d]", mapCount, syncCount);
    }

    static String syncCoherent(long dmaAddr, long size) {
        return String.format(PREFIX + "device driver syncs coherent DMA memory, which is never synced "
                + "[device address=0x%016x] [size=%d bytes]", dmaAddr, size);
    }

    static String sgAlreadyMapped(long firstDmaAddr, int nents) {
        return String.format(PREFIX + "device driver maps an sg table that is already mapped "
                + "[device address=0x%016x] [nents=%d]; unmap it first", firstDmaAddr, nents);
    }

    static String mapErrorNotChecked(long dmaAddr, long size, MappingType type) {
        return String.format(PREFIX + "device driver failed to check map error "
                + "[device address=0x%016x] [size=%d bytes] [mapped as %s]", dmaAddr, size, type.linuxName());
    }

    static String syncReadOnlyForCpu(long dmaAddr, long size, DmaDirection mapped, DmaDirection synced) {
        return String.format(PREFIX + "device driver syncs device read-only DMA memory for cpu "
                + "[device address=0x%016x] [size=%d bytes] [mapped with %s] [synced with %s]",
                dmaAddr, size, dirName(mapped), dirName(synced));
    }

    static String syncWriteOnlyForDevice(long dmaAddr, long size, DmaDirection mapped, DmaDirection synced) {
        return String.format(PREFIX + "device driver syncs device write-only DMA memory to device "
                + "[device address=0x%016x] [size=%d bytes] [mapped with %s] [synced with %s]",
                dmaAddr, size, dirName(mapped), dirName(synced));
    }

    /** check_sg_segment, on DMA segment {@code index}. */
    static String sgSegmentTooLong(int index, long len, long max) {
        return String.format(PREFIX + "mapping sg segment longer than device claims to support [len=%d] [max=%d] [segment=%d]",
                len, max, index);
    }

    static String sgSegmentAcrossBoundary(int index, long start, long end, long boundary) {
        return String.format(PREFIX + "mapping sg segment across boundary [start=0x%016x] [end=0x%016x] [boundary=0x%016x] [segment=%d]",
                start, end, boundary, index);
    }

    /** add_dma_entry's -EEXIST report; {@code overflow} adds active_cacheline_inc_overlap's WARN_ONCE. */
    static String overlappingMapping(long dmaAddr, long size, DmaDirection dir, long cacheline, boolean overflow) {
        return String.format(PREFIX + "cacheline tracking EEXIST, overlapping mappings aren't supported "
                + "[device address=0x%016x] [size=%d bytes] [mapped with %s] [cacheline=0x%x]%s",
                dmaAddr, size, dirName(dir), cacheline,
                overflow ? " [exceeded 7 overlapping mappings of cacheline 0x" + Long.toHexString(cacheline) + "]" : "");
    }

    /**
     * dma_debug_device_change's one error for a released driver's leaks: the count, then one of
     * the leaked entries ({@code "One of leaked entries details: [device address=...] [size=...]
     * [mapped with ...] [mapped as ...]"}).
     */
    static String leak(int count, LiveMappings t, int e) {
        return pendingAllocations(count) + String.format("\nOne of leaked entries details: [device address=0x%016x] "
                + "[size=%d bytes] [mapped with %s] [mapped as %s]", t.dmaAddr(e), t.size(e), dirName(t.dir(e)),
                t.type(e) == null ? "?" : t.type(e).linuxName());
    }

    static String cpuDeviceOwned(boolean write, long addr, long len, LiveMappings t, int e) {
        return String.format(PREFIX + "cpu touches a streaming DMA buffer the device owns "
                + "[cpu %s at 0x%x] [len=%d] %s", write ? "write" : "read", addr, len, describe(t, e));
    }

    /** Beyond Linux: a CPU access that starts inside sg entry {@code index} and runs past its end. */
    static String cpuPastSgEntry(boolean write, long addr, long len, int index, long entryStart, long entryLength,
            boolean mapped) {
        return String.format(PREFIX + "cpu access runs past the end of the sg entry it started in "
                + "[cpu %s at 0x%x] [len=%d] [sg entry %d at 0x%x] [entry length=%d] [table %s]", write ? "write" : "read",
                addr, len, index, entryStart, entryLength, mapped ? "mapped" : "unmapped");
    }

    static String cpuUnallocated(boolean write, long addr, long len, long firstUnallocated) {
        return String.format(PREFIX + "cpu touches memory outside any allocation "
                + "[cpu %s at 0x%x] [len=%d] [first unallocated byte=0x%x]", write ? "write" : "read", addr, len,
                firstUnallocated);
    }

    static String subPageExposure(long dmaAddr, long size, long exposed, long granule) {
        return String.format(PREFIX + "mapping exposes other allocations that share its pages "
                + "[device address=0x%016x] [size=%d bytes] [exposed=%d bytes] [granule=%d bytes]",
                dmaAddr, size, exposed, granule);
    }

    static String pendingAllocations(int count) {
        return PREFIX + "device driver has pending DMA allocations while released from device [count=" + count + "]";
    }

    /** Beyond Linux (where unbind and map race unchecked): a creating call while the driver is being released. */
    static String beingSwapped(String device, String backend, String target, String call) {
        return PREFIX + "device " + device + " is being swapped from " + backend + " to " + target
                + ": its driver is being released, so " + call + " is refused and nothing was mapped. Map again through "
                + "the DmaApi service registered after the swap";
    }

    /** Beyond Linux, in dma-debug's style: device DMA through the bus master of a released driver. */
    static String dmaAfterRelease(long addr, long len, boolean write, String backend) {
        return String.format("%s [device address=0x%016x] [size=%d bytes] [device %s] [driver released from %s]",
                org.iommulab.api.checker.FindingKind.DMA_AFTER_RELEASE.message(), addr, len, write ? "write" : "read", backend);
    }

    static String stale(String device, String backend) {
        return PREFIX + "stale DMA API of device " + device + ": it served backend " + backend
                + ", and the device has been swapped since; nothing was done. Use the DmaApi service registered now";
    }

    /** One entry as dma-debug's leak report prints it. */
    static String describe(LiveMappings t, int e) {
        MappingType type = t.type(e);
        StringBuilder b = new StringBuilder(String.format("[device address=0x%016x] [size=%d bytes] [mapped with %s] [mapped as %s]",
                t.dmaAddr(e), t.size(e), dirName(t.dir(e)), type == null ? "?" : type.linuxName()));
        if (type == MappingType.SCATTER_GATHER) {
            b.append(String.format(" [sg entries=%d] [dma segments=%d]", t.callNents(e), t.mappedNents(e)));
        } else if (type == MappingType.COHERENT) {
            b.append(String.format(" [cpu address=0x%x]", t.cpuAddr(e)));
        }
        return b.toString();
    }
}
