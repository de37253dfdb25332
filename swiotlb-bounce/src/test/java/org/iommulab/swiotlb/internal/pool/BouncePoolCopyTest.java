package org.iommulab.swiotlb.internal.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.iommulab.api.dma.DmaAttrs;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.platform.DeviceDescriptor;
import org.iommulab.api.platform.Zone;
import org.iommulab.platform.internal.device.SimDmaDevice;
import org.iommulab.swiotlb.internal.TestRig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The swiotlb copy table, every direction by every operation, checked byte for byte in the
 * original and the bounce buffer; partial syncs; the stale-data leak fix; overrun clamping.
 */
class BouncePoolCopyTest {
    static final int LEN = 3000;
    static final int ORIG = 1;
    static final int DEVICE = 77;
    static final int CPU = 99;

    final TestRig rig = new TestRig();
    final BouncePool pool = rig.pool(1 << 20);
    final SimDmaDevice dev = rig.device("dev", 32);
    final long orig = rig.pages(1, Zone.HIGH) + 0x10;

    BouncePoolCopyTest() {
        rig.pattern(orig, LEN, ORIG);
    }

    @ParameterizedTest
    @EnumSource(value = DmaDirection.class, names = {"BIDIRECTIONAL", "TO_DEVICE", "FROM_DEVICE"})
    void mapAlwaysCopiesOriginalToBounce(DmaDirection dir) {
        rig.memory.fill(pool.stats().poolStart(), pool.stats().poolBytes(), (byte) 0x5e);
        long b = pool.map(dev, orig, LEN, 0, dir, 0);
        assertTrue(pool.isBounce(b));
        assertTrue(rig.hasPattern(b, LEN, ORIG, 0), "bounce holds the original after map " + dir);
        assertTrue(rig.hasPattern(orig, LEN, ORIG, 0), "original untouched");
        assertEquals(LEN, pool.stats().bytesToDevice());
        assertEquals(0, pool.stats().bytesFromDevice());
    }

    @ParameterizedTest
    @EnumSource(value = DmaDirection.class, names = {"BIDIRECTIONAL", "TO_DEVICE", "FROM_DEVICE"})
    void unmapCopiesBackIffFromDeviceOrBidirectional(DmaDirection dir) {
        long b = pool.map(dev, orig, LEN, 0, dir, 0);
        rig.pattern(b, LEN, DEVICE);
        long copied = pool.unmap(dev, b, LEN, dir, 0);
        boolean back = dir == DmaDirection.FROM_DEVICE || dir == DmaDirection.BIDIRECTIONAL;
        assertEquals(back ? LEN : 0, copied);
        assertTrue(rig.hasPattern(orig, LEN, back ? DEVICE : ORIG, 0), "original after unmap " + dir);
        assertEquals(0, pool.stats().usedSlots());
        assertEquals(back ? LEN : 0, pool.stats().bytesFromDevice());
    }

    @ParameterizedTest
    @EnumSource(value = DmaDirection.class, names = {"BIDIRECTIONAL", "TO_DEVICE", "FROM_DEVICE"})
    void unmapWithSkipCpuSyncCopiesNothing(DmaDirection dir) {
        long b = pool.map(dev, orig, LEN, 0, dir, 0);
        rig.pattern(b, LEN, DEVICE);
        assertEquals(0, pool.unmap(dev, b, LEN, dir, DmaAttrs.SKIP_CPU_SYNC));
        assertTrue(rig.hasPattern(orig, LEN, ORIG, 0));
        assertEquals(0, pool.stats().usedSlots());
    }

    @ParameterizedTest
    @EnumSource(value = DmaDirection.class, names = {"BIDIRECTIONAL", "TO_DEVICE", "FROM_DEVICE"})
    void syncForCpuCopiesBackIffFromDeviceOrBidirectional(DmaDirection dir) {
        long b = pool.map(dev, orig, LEN, 0, dir, 0);
        rig.pattern(b, LEN, DEVICE);
        boolean back = dir == DmaDirection.FROM_DEVICE || dir == DmaDirection.BIDIRECTIONAL;
        assertEquals(back ? LEN : 0, pool.syncForCpu(dev, b, LEN, dir));
        assertTrue(rig.hasPattern(orig, LEN, back ? DEVICE : ORIG, 0), "original after sync_for_cpu " + dir);
        assertTrue(rig.hasPattern(b, LEN, DEVICE, 0), "bounce unchanged");
        assertEquals(1, pool.stats().liveMappings(), "a sync keeps the mapping");
    }

    @ParameterizedTest
    @EnumSource(value = DmaDirection.class, names = {"BIDIRECTIONAL", "TO_DEVICE", "FROM_DEVICE"})
    void syncForDeviceCopiesInIffToDeviceOrBidirectional(DmaDirection dir) {
        long b = pool.map(dev, orig, LEN, 0, dir, 0);
        rig.pattern(orig, LEN, CPU);
        boolean in = dir == DmaDirection.TO_DEVICE || dir == DmaDirection.BIDIRECTIONAL;
        assertEquals(in ? LEN : 0, pool.syncForDevice(dev, b, LEN, dir));
        assertTrue(rig.hasPattern(b, LEN, in ? CPU : ORIG, 0), "bounce after sync_for_device " + dir);
        assertTrue(rig.hasPattern(orig, LEN, CPU, 0), "original unchanged");
    }

    @Test
    void fromDeviceMapHidesStalePoolDataAndPartialWritesKeepTheRest() {
        // Whatever earlier users left in the pool (here: a "secret" everywhere)...
        rig.memory.fill(pool.stats().poolStart(), pool.stats().poolBytes(), (byte) 0x5e);
        long buf = rig.pages(1, Zone.HIGH);
        rig.memory.fill(buf, 4096, (byte) 0);
        long b = pool.map(dev, buf, 4096, 0, DmaDirection.FROM_DEVICE, 0);
        // ...the device cannot read it: the bounce buffer holds the original's bytes.
        assertTrue(rig.allBytes(b, 4096, 0), "stale swiotlb data visible to the device (CVE-2022-0854)");
        // A device that writes only the first half leaves the second half as the original was.
        rig.memory.fill(b, 2048, (byte) 0x42);
        pool.unmap(dev, b, 4096, DmaDirection.FROM_DEVICE, 0);
        assertTrue(rig.allBytes(buf, 2048, 0x42));
        assertTrue(rig.allBytes(buf + 2048, 2048, 0), "unwritten bytes clobbered by pool data");
    }

    @Test
    void partialSyncsAtAnOffsetCopyExactlyThoseBytes() {
        SimDmaDevice nvme = rig.device(DeviceDescriptor.builder("nvme").dmaMask(~0L).minAlignMask(0xfff).build());
        long buf = rig.pages(4, Zone.HIGH) + 0x234;
        int len = 10_000;
        rig.pattern(buf, len, ORIG);
        long b = pool.map(nvme, buf, len, 0, DmaDirection.BIDIRECTIONAL, 0);
        assertEquals(0x234, b & 0xfff, "min_align_mask bits kept");
        rig.pattern(b, len, DEVICE);

        // 1500 is in the second slot, where the slot offset is below the min_align offset.
        assertEquals(600, pool.syncForCpu(nvme, b + 1500, 600, DmaDirection.BIDIRECTIONAL));
        assertTrue(rig.hasPattern(buf, 1500, ORIG, 0));
        assertTrue(rig.hasPattern(buf + 1500, 600, DEVICE, 1500));
        assertTrue(rig.hasPattern(buf + 2100, len - 2100, ORIG, 2100));

        assertEquals(2500, pool.syncForCpu(nvme, b + 3000, 2500, DmaDirection.FROM_DEVICE));
        assertTrue(rig.hasPattern(buf + 2100, 900, ORIG, 2100));
        assertTrue(rig.hasPattern(buf + 3000, 2500, DEVICE, 3000));
        assertTrue(rig.hasPattern(buf + 5500, len - 5500, ORIG, 5500));

        rig.pattern(buf + 6000, 100, CPU);
        assertEquals(100, pool.syncForDevice(nvme, b + 6000, 100, DmaDirection.TO_DEVICE));
        assertTrue(rig.hasPattern(b, 6000, DEVICE, 0));
        assertTrue(rig.hasPattern(b + 6000, 100, CPU, 0));
        assertTrue(rig.hasPattern(b + 6100, len - 6100, DEVICE, 6100));
    }

    @Test
    void overrunIsClampedWithLinuxWarning() {
        long b = pool.map(dev, orig, 100, 0, DmaDirection.FROM_DEVICE, 0);
        rig.pattern(b, 100, DEVICE);
        assertEquals(100, pool.syncForCpu(dev, b, 300, DmaDirection.FROM_DEVICE));
        assertEquals("dev: Buffer overflow detected. Allocation size: 100. Mapping size: 300.", dev.warnings().get(0));
        assertTrue(rig.hasPattern(orig, 100, DEVICE, 0));
        assertTrue(rig.hasPattern(orig + 100, LEN - 100, ORIG, 100), "nothing past the allocation was copied");
        // From an offset: what is left of the allocation is the limit.
        assertEquals(40, pool.syncForCpu(dev, b + 60, 50, DmaDirection.FROM_DEVICE));
        assertEquals("dev: Buffer overflow detected. Allocation size: 40. Mapping size: 50.", dev.warnings().get(1));
    }

    @Test
    void zeroPaddedMapClearsThePaddingAroundTheBuffer() {
        SimDmaDevice untrusted = rig.device(DeviceDescriptor.builder("tb").dmaMask(~0L).minAlignMask(0xfff)
                .trusted(false).build());
        rig.memory.fill(pool.stats().poolStart(), pool.stats().poolBytes(), (byte) 0xee);
        long buf = rig.pages(1, Zone.HIGH) + 0x234;
        rig.pattern(buf, 1000, ORIG);

        long plain = pool.map(untrusted, buf, 1000, 0xfff, DmaDirection.TO_DEVICE, 0);
        long start = plain & ~0xfffL;
        assertTrue(rig.allBytes(start, 0x234, 0xee), "plain map leaves padding uninitialised, as Linux");

        long padded = pool.mapZeroPadded(untrusted, buf, 1000, 0xfff, DmaDirection.TO_DEVICE, 0);
        long pstart = padded & ~0xfffL;
        assertEquals(0x234, padded - pstart);
        assertTrue(rig.allBytes(pstart, 0x234, 0), "pre-padding zeroed");
        assertTrue(rig.hasPattern(padded, 1000, ORIG, 0));
        assertTrue(rig.allBytes(padded + 1000, pstart + 4096 - (padded + 1000), 0), "post-padding zeroed");
        assertFalse(rig.allBytes(pstart + 4096, 16, 0), "nothing past the allocation");
    }
}
