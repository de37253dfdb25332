package org.iommulab.smmu.v2.internal.driver;

import org.iommulab.api.platform.DeviceDescriptor;
import org.iommulab.modelkit.regs.Register;
import org.iommulab.platform.internal.device.SimDmaDevice;
import org.iommulab.platform.internal.memory.SparsePhysicalMemory;
import org.iommulab.platform.internal.memory.ZonedPageAllocator;
import org.iommulab.smmu.v2.internal.model.SmmuV2Model;
import org.iommulab.smmu.v2.internal.model.SmmuV2Params;

/** A model on the platform's memory, probed by the driver, with devices built by hand. */
final class DriverRig {
    final SparsePhysicalMemory mem = SparsePhysicalMemory.defaultLayout();
    final ZonedPageAllocator alloc = new ZonedPageAllocator(mem);
    final SmmuV2Model hw;
    final SmmuV2Driver driver;

    DriverRig() {
        this(SmmuV2Params.mmu500().withTiming(4096, 64, 2), DriverOptions.defaults());
    }

    DriverRig(SmmuV2Params params, DriverOptions options) {
        hw = new SmmuV2Model(params, mem, SmmuV2Driver.NAME);
        driver = new SmmuV2Driver(hw, mem, alloc, options);
    }

    SimDmaDevice device(String name, int... sids) {
        return new SimDmaDevice(DeviceDescriptor.builder(name).streamIds(sids).build(), mem, alloc);
    }

    long page() {
        return alloc.allocPages(1, org.iommulab.api.platform.Zone.NORMAL);
    }

    int gr0(Register r, int i) {
        return hw.read32(r.offset(i));
    }

    int gr0(Register r) {
        return hw.read32(r.offset());
    }

    int cb(int n, Register r) {
        return hw.read32((long) (hw.params().numPage() + n) * hw.params().pageSize() + r.offset());
    }
}
