package org.iommulab.iopgtable;

import org.iommulab.api.platform.PageAllocator;
import org.iommulab.api.platform.PhysicalMemory;
import org.iommulab.iopgtable.lpae.LpaeConfig;
import org.iommulab.iopgtable.lpae.LpaePageTable;
import org.iommulab.iopgtable.lpae.LpaeStage;

/**
 * Linux {@code io_pgtable_arm_64_lpae_s1_init_fns} / {@code _s2_init_fns}
 * ({@code io-pgtable-arm.c}): {@link LpaeConfig#of} restricts the request to one granule and
 * works out the levels, {@link LpaePageTable#allocate} allocates the start-level table.
 */
record ArmLpaeFormat(String name, LpaeStage stage) implements IoPgtableFormat {
    @Override
    public IoPgtableOps allocate(IoPgtableConfig cfg, PhysicalMemory memory, PageAllocator allocator,
            IoPgtableFlushOps flushOps) {
        if (cfg == null) {
            throw new IllegalArgumentException(name + " needs a config");
        }
        return LpaePageTable.allocate(LpaeConfig.of(stage, cfg.pgsizeBitmap(), cfg.ias(), cfg.oas()), memory, allocator,
                flushOps);
    }

    @Override
    public String toString() {
        return name;
    }
}
