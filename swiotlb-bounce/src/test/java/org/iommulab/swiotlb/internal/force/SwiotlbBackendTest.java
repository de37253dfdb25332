package org.iommulab.swiotlb.internal.force;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.iommulab.api.backend.BackendCounter;
import org.iommulab.api.backend.DeviceBinding;
import org.iommulab.api.dma.CoherentAllocation;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.dma.SgTable;
import org.iommulab.api.platform.AccessType;
import org.iommulab.api.platform.DeviceDescriptor;
import org.iommulab.api.platform.Zone;
import org.iommulab.platform.internal.device.SimDmaDevice;
import org.iommulab.swiotlb.internal.TestRig;
import org.iommulab.swiotlb.internal.direct.DmaDirectBackend;
import org.iommulab.swiotlb.internal.pool.BouncePool;
import org.junit.jupiter.api.Test;

/** The {@code swiotlb} backend: Linux swiotlb=force, every streaming mapping bounced. */
class SwiotlbBackendTest {
    final TestRig rig = new TestRig();
    final BouncePool pool = rig.pool(1 << 20);
    final DmaDirectBackend swiotlb = SwiotlbBackendComponent.create(pool);
    final SimDmaDevice dev = rig.device("nic", 64);
    final DeviceBinding b = swiotlb.attach(dev);
    final long low = rig.pages(16, Zone.DMA32);

    @Test
    void evenAReachableBufferBounces() {
        assertEquals("swiotlb", swiotlb.name());
        long dma = b.ops().mapPhys(low + 8, 1000, DmaDirection.TO_DEVICE, 0);
        assertTrue(pool.isBounce(dma));
        assertEquals(1, b.counter(BackendCounter.BOUNCED_MAPPINGS));
        assertEquals(1000, b.counter(BackendCounter.BOUNCED_BYTES_TO_DEVICE));
        assertEquals(-1, b.counter(BackendCounter.IOTLB_MISSES));
    }

    @Test
    void theDeviceSeesTheCpusBytesOnlyThroughSyncs() {
        rig.pattern(low, 4096, 1);
        long dma = b.ops().mapPhys(low, 4096, DmaDirection.TO_DEVICE, 0);
        long bounce = b.port().translate(0, dma, AccessType.READ);
        assertTrue(rig.hasPattern(bounce, 4096, 1, 0), "the device reads the original's bytes");
        rig.pattern(low, 4096, 99);
        assertTrue(rig.hasPattern(bounce, 4096, 1, 0), "a CPU write after map is not seen without a sync");
        b.ops().syncSingleForDevice(dma, 4096, DmaDirection.TO_DEVICE);
        assertTrue(rig.hasPattern(bounce, 4096, 99, 0));
        b.ops().unmapPhys(dma, 4096, DmaDirection.TO_DEVICE, 0);
        assertTrue(rig.hasPattern(low, 4096, 99, 0), "TO_DEVICE unmap copies nothing back");
    }

    @Test
    void fromDeviceSyncForDeviceDoesNotClobberWhatTheDeviceWrote() {
        rig.pattern(low, 4096, 1);
        long dma = b.ops().mapPhys(low, 4096, DmaDirection.FROM_DEVICE, 0);
        long bounce = b.port().translate(0, dma, AccessType.WRITE);
        rig.pattern(bounce, 4096, 77);
        assertTrue(rig.hasPattern(low, 4096, 1, 0));
        b.ops().syncSingleForCpu(dma, 4096, DmaDirection.FROM_DEVICE);
        assertTrue(rig.hasPattern(low, 4096, 77, 0));
        // ath9k re-arms a receive buffer with sync_for_device(FROM_DEVICE): no copy.
        rig.pattern(low, 4096, 5);
        b.ops().syncSingleForDevice(dma, 4096, DmaDirection.FROM_DEVICE);
        assertTrue(rig.hasPattern(bounce, 4096, 77, 0));
        b.ops().unmapPhys(dma, 4096, DmaDirection.FROM_DEVICE, 0);
        assertTrue(rig.hasPattern(low, 4096, 77, 0));
        assertEquals(0, pool.stats().usedSlots());
    }

    @Test
    void mapSgBouncesEveryEntryOneToOne() {
        SgTable sg = SgTable.of(new long[] {low, low + 4096, low + 8192}, new int[] {4096, 4096, 4096});
        assertEquals(3, b.ops().mapSg(sg, 3, DmaDirection.BIDIRECTIONAL, 0));
        for (int i = 0; i < 3; i++) {
            assertTrue(pool.isBounce(sg.dmaAddress(i)));
            assertEquals(4096, sg.dmaLength(i));
        }
        assertEquals(3, b.counter(BackendCounter.BOUNCED_MAPPINGS));
        b.ops().unmapSg(sg, 3, DmaDirection.BIDIRECTIONAL, 0);
        assertEquals(0, pool.stats().usedSlots());
        assertFalse(sg.isMapped());
    }

    @Test
    void coherentAllocationsAndResourcesAreNotBounced() {
        CoherentAllocation c = b.ops().allocCoherent(8192, 0);
        assertFalse(pool.isBounce(c.cpuAddress()));
        assertEquals(c.cpuAddress(), c.dmaHandle());
        assertEquals(0x1000_0000L, b.ops().mapResource(0x1000_0000L, 4096, DmaDirection.TO_DEVICE, 0));
        assertEquals(0, pool.stats().mappings());
        b.ops().freeCoherent(c);
    }

    @Test
    void maxMappingSizeIsSwiotlbs() {
        assertEquals(256 * 1024, b.ops().maxMappingSize());
        assertEquals(256 * 1024, b.ops().optMappingSize());
        SimDmaDevice nvme = rig.device(DeviceDescriptor.builder("nvme").dmaMask(~0L).minAlignMask(0xfff).build());
        assertEquals(256 * 1024 - 4096, swiotlb.attach(nvme).ops().maxMappingSize());
    }

    @Test
    void needsAPool() {
        assertThrows(IllegalArgumentException.class, () -> SwiotlbBackendComponent.create(null));
    }
}
