package org.iommulab.swiotlb.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.iommulab.api.backend.DeviceBinding;
import org.iommulab.api.dma.DmaAttrs;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.dma.DmaMasks;
import org.iommulab.api.platform.Zone;
import org.iommulab.platform.internal.device.SimDmaDevice;
import org.iommulab.platform.internal.sim.Simulation;
import org.iommulab.api.swiotlb.SwiotlbPool;
import org.iommulab.swiotlb.internal.direct.DirectBackendComponent;
import org.iommulab.swiotlb.internal.force.SwiotlbBackendComponent;
import org.iommulab.swiotlb.internal.pool.SwiotlbPoolComponent;
import org.junit.jupiter.api.Test;

/** The DS components, built and wired by hand as SCR would. */
class ComponentsTest {
    final TestRig rig = new TestRig();

    /** The pool's configuration as ConfigAdmin hands it over: typed values, as a .config file gives them. */
    private static Map<String, Object> config(long size, int areas) {
        return Map.of("size", size, "areas", areas);
    }

    @Test
    void poolComponentBuildsTheConfiguredPoolAndFreesItOnDeactivate() throws Exception {
        long before = rig.allocator.allocatedBytes();
        SwiotlbPoolComponent pool = new SwiotlbPoolComponent(rig.memory, rig.allocator, new Simulation(), config(3L << 20, 2));
        assertEquals(2048, pool.stats().totalSlots(), "3 MiB rounds up to 4 MiB");
        assertEquals(2, pool.stats().areas());
        assertEquals(before + (4L << 20), rig.allocator.allocatedBytes());
        SimDmaDevice dev = rig.device("dev", 32);
        long buf = rig.pages(1, Zone.HIGH);
        long b = pool.map(dev, buf, 100, 0, DmaDirection.TO_DEVICE, 0);
        assertTrue(pool.isBounce(b));
        assertEquals(100, pool.syncForDevice(dev, b, 100, DmaDirection.TO_DEVICE));
        assertEquals(0, pool.syncForCpu(dev, b, 100, DmaDirection.TO_DEVICE));
        pool.unmap(dev, b, 100, DmaDirection.TO_DEVICE, 0);
        assertTrue(pool.isBounce(pool.mapZeroPadded(dev, buf, 100, 0xfff, DmaDirection.TO_DEVICE, 0)));
        assertEquals(1, pool.releaseAll(dev));
        assertEquals(256 * 1024, pool.maxMappingSize(dev));
        var deactivate = SwiotlbPoolComponent.class.getDeclaredMethod("deactivate");
        deactivate.setAccessible(true);
        deactivate.invoke(pool);
        assertEquals(before + 4096, rig.allocator.allocatedBytes());
    }

    @Test
    void directComponentFollowsTheHighestRankedPool() throws Exception {
        DirectBackendComponent direct = new DirectBackendComponent();
        assertEquals("direct", direct.name());
        SimDmaDevice dev = rig.device("dev32", 32);
        assertTrue(direct.accepts(dev));
        DeviceBinding b = direct.attach(dev);
        long high = rig.pages(1, Zone.HIGH);
        assertEquals(DmaMasks.MAPPING_ERROR, b.ops().mapPhys(high, 100, DmaDirection.TO_DEVICE, DmaAttrs.NO_WARN));

        SwiotlbPool first = rig.pool(1 << 20);
        SwiotlbPool second = rig.pool(1 << 20);
        var bind = DirectBackendComponent.class.getDeclaredMethod("bindPool", SwiotlbPool.class);
        var unbind = DirectBackendComponent.class.getDeclaredMethod("unbindPool", SwiotlbPool.class);
        bind.setAccessible(true);
        unbind.setAccessible(true);
        bind.invoke(direct, first);
        assertTrue(first.isBounce(b.ops().mapPhys(high, 100, DmaDirection.TO_DEVICE, 0)));
        // A greedy rebind: the new pool is bound before the old one is unbound.
        bind.invoke(direct, second);
        unbind.invoke(direct, first);
        assertTrue(second.isBounce(b.ops().mapPhys(high, 100, DmaDirection.TO_DEVICE, 0)));
        unbind.invoke(direct, second);
        assertEquals(DmaMasks.MAPPING_ERROR, b.ops().mapPhys(high, 100, DmaDirection.TO_DEVICE, DmaAttrs.NO_WARN));
    }

    @Test
    void swiotlbComponentBouncesThroughItsPool() throws Exception {
        SwiotlbPool pool = rig.pool(1 << 20);
        SwiotlbBackendComponent swiotlb = new SwiotlbBackendComponent(pool);
        assertEquals("swiotlb", swiotlb.name());
        SimDmaDevice dev = rig.device("nic", 64);
        assertTrue(swiotlb.accepts(dev));
        DeviceBinding b = swiotlb.attach(dev);
        long low = rig.pages(1, Zone.DMA32);
        assertTrue(pool.isBounce(b.ops().mapPhys(low, 100, DmaDirection.TO_DEVICE, 0)));
        assertFalse(pool.isBounce(low));
    }
}
