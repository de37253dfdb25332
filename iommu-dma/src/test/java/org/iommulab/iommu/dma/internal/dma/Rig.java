package org.iommulab.iommu.dma.internal.dma;

import org.iommulab.api.backend.BackendException;
import org.iommulab.api.dma.DmaMasks;
import org.iommulab.api.platform.AccessType;
import org.iommulab.api.platform.DeviceDescriptor;
import org.iommulab.iommu.generic.internal.driver.GenericIommuDriver;
import org.iommulab.iommu.generic.internal.model.GenericIommuModel;
import org.iommulab.platform.internal.device.SimDmaDevice;
import org.iommulab.platform.internal.memory.SparsePhysicalMemory;
import org.iommulab.platform.internal.memory.ZonedPageAllocator;
import org.iommulab.api.swiotlb.SwiotlbPool;

/**
 * A platform for iommu-dma tests: the default memory layout, its allocator, a generic IOMMU
 * (model + driver), a hand-driven clock, and an optional swiotlb pool.
 */
final class Rig {
    final SparsePhysicalMemory mem = SparsePhysicalMemory.defaultLayout();
    final ZonedPageAllocator alloc = new ZonedPageAllocator(mem);
    final long[] now = {0};
    final GenericIommuModel hw;
    final GenericIommuDriver driver;
    SwiotlbPool pool;

    Rig() {
        this(48);
    }

    Rig(int iasBits) {
        hw = new GenericIommuModel("generic", iasBits, 48, 8, 256, 64, false);
        driver = new GenericIommuDriver(hw);
    }

    IommuDmaSettings settings(boolean lazy) {
        return IommuDmaSettings.defaults().lazy(lazy).deterministic(() -> now[0]);
    }

    IommuDmaBackend backend(boolean lazy) {
        return new IommuDmaBackend(driver, settings(lazy), () -> pool);
    }

    SimDmaDevice device(DeviceDescriptor.Builder b) {
        return new SimDmaDevice(b.build(), mem, alloc);
    }

    static DeviceDescriptor.Builder dev(String name, int sid) {
        return DeviceDescriptor.builder(name).streamIds(sid).dmaMask(DmaMasks.bits(64));
    }

    IommuDmaBinding attach(boolean lazy, SimDmaDevice d) throws BackendException {
        return (IommuDmaBinding) backend(lazy).attach(d);
    }

    /** A device read through the binding's port, as its bus master would do it. */
    static long read(IommuDmaBinding b, SimDmaDevice d, long dma) {
        long phys = b.port().translate(d.descriptor().primaryStreamId(), dma, AccessType.READ);
        return d.memory().readLong(phys);
    }

    static void write(IommuDmaBinding b, SimDmaDevice d, long dma, long value) {
        long phys = b.port().translate(d.descriptor().primaryStreamId(), dma, AccessType.WRITE);
        d.memory().writeLong(phys, value);
    }

    /** Pages from the allocator, filled with {@code fill}. */
    long pages(int n, byte fill) {
        long p = alloc.allocPages(n, org.iommulab.api.platform.Zone.NORMAL);
        mem.fill(p, n * 4096L, fill);
        return p;
    }
}
