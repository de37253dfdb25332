package org.iommulab.swiotlb.internal;

import java.util.List;

import org.iommulab.api.dma.DmaMasks;
import org.iommulab.api.platform.DeviceDescriptor;
import org.iommulab.api.platform.MemoryRegion;
import org.iommulab.api.platform.PageAllocator;
import org.iommulab.api.platform.PhysicalMemory;
import org.iommulab.api.platform.Zone;
import org.iommulab.platform.internal.device.SimDmaDevice;
import org.iommulab.platform.internal.memory.SparsePhysicalMemory;
import org.iommulab.platform.internal.memory.ZonedPageAllocator;
import org.iommulab.swiotlb.internal.pool.BouncePool;
import org.iommulab.swiotlb.internal.pool.PoolGeometry;

/** The platform's plain memory, allocator and devices, built with {@code new} for unit tests. */
public final class TestRig {
    public final PhysicalMemory memory;
    public final PageAllocator allocator;

    /** The default layout: RAM [1 GiB, 4 GiB) and [4 GiB, 8 GiB). */
    public TestRig() {
        this(SparsePhysicalMemory.defaultLayout());
    }

    /** A small layout: 16 MiB at 1 GiB and 16 MiB at 4 GiB, cheap to dirty completely. */
    public static TestRig small() {
        return new TestRig(new SparsePhysicalMemory(List.of(new MemoryRegion(0x4000_0000L, 16L << 20),
                new MemoryRegion(0x1_0000_0000L, 16L << 20))));
    }

    private TestRig(PhysicalMemory memory) {
        this.memory = memory;
        this.allocator = new ZonedPageAllocator(memory);
    }

    /** A pool of {@code bytes} in one area. */
    public BouncePool pool(long bytes) {
        return new BouncePool(memory, allocator, PoolGeometry.of(bytes, 1));
    }

    public SimDmaDevice device(DeviceDescriptor d) {
        return new SimDmaDevice(d, memory, allocator);
    }

    /** A device named {@code name} with a {@code bits}-bit streaming and coherent mask. */
    public SimDmaDevice device(String name, int bits) {
        SimDmaDevice dev = device(DeviceDescriptor.builder(name).dmaMask(DmaMasks.bits(bits)).build());
        dev.setCoherentDmaMask(DmaMasks.bits(bits));
        return dev;
    }

    /** {@code pages} pages from {@code zone}. */
    public long pages(long pages, Zone zone) {
        long a = allocator.allocPages(pages, zone);
        if (a == PageAllocator.NO_MEMORY) {
            throw new IllegalStateException("test rig out of memory in " + zone);
        }
        return a;
    }

    /** Fills {@code len} bytes at {@code addr} with the pattern {@code seed + i}. */
    public void pattern(long addr, int len, int seed) {
        byte[] b = new byte[len];
        for (int i = 0; i < len; i++) {
            b[i] = (byte) (seed + i);
        }
        memory.write(addr, b, 0, len);
    }

    /** Whether the {@code len} bytes at {@code addr} hold the pattern {@code seed + i} (offset by {@code from}). */
    public boolean hasPattern(long addr, int len, int seed, int from) {
        byte[] b = read(addr, len);
        for (int i = 0; i < len; i++) {
            if (b[i] != (byte) (seed + from + i)) {
                return false;
            }
        }
        return true;
    }

    /** Whether every one of the {@code len} bytes at {@code addr} equals {@code value}. */
    public boolean allBytes(long addr, long len, int value) {
        byte[] b = read(addr, (int) len);
        for (byte x : b) {
            if (x != (byte) value) {
                return false;
            }
        }
        return true;
    }

    public byte[] read(long addr, int len) {
        byte[] b = new byte[len];
        memory.read(addr, b, 0, len);
        return b;
    }
}
