package org.iommulab.smmu.v3.internal.driver;

import org.iommulab.api.platform.DeviceDescriptor;
import org.iommulab.iopgtable.lpae.LpaeGranule;
import org.iommulab.platform.internal.device.SimDmaDevice;
import org.iommulab.platform.internal.memory.SparsePhysicalMemory;
import org.iommulab.platform.internal.memory.ZonedPageAllocator;
import org.iommulab.smmu.v3.internal.model.SmmuV3Features;
import org.iommulab.smmu.v3.internal.model.SmmuV3Model;

/** A probed SMMUv3 (model and driver) in the platform's default memory, with devices to attach. */
final class DriverHarness {
    final SparsePhysicalMemory mem = SparsePhysicalMemory.defaultLayout();
    final ZonedPageAllocator alloc = new ZonedPageAllocator(mem);
    final SmmuV3Model model;
    final SmmuV3Driver driver;

    DriverHarness(SmmuV3Features features, DriverConfig config) {
        model = new SmmuV3Model(SmmuV3Driver.NAME, mem, features);
        driver = new SmmuV3Driver(SmmuV3Driver.NAME, model, mem, alloc, config);
        driver.probe();
    }

    static DriverHarness stage1() {
        return new DriverHarness(SmmuV3Features.defaults(), DriverConfig.defaults());
    }

    static DriverHarness with(SmmuV3Features.Stages stages, DriverConfig.Stage stage, boolean twoLevel, boolean ril,
            boolean msiPoll) {
        return new DriverHarness(SmmuV3Features.builder().stages(stages).ril(ril).build(),
                new DriverConfig(twoLevel, stage, LpaeGranule.G4K, 48, 8, 8, msiPoll));
    }

    SimDmaDevice device(String name, int... sids) {
        return new SimDmaDevice(DeviceDescriptor.builder(name).streamIds(sids).build(), mem, alloc);
    }
}
