package org.iommulab.platform.internal.bus;

import static org.iommulab.platform.internal.testing.TestPlatforms.platform;
import static org.iommulab.platform.internal.testing.TestPlatforms.props;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.iommulab.api.admin.Stat;
import org.iommulab.api.platform.AccessType;
import org.iommulab.api.platform.BusMaster;
import org.iommulab.api.platform.DeviceDescriptor;
import org.iommulab.api.platform.DmaFault;
import org.iommulab.api.platform.DmaFaultException;
import org.iommulab.api.platform.FaultKind;
import org.iommulab.api.platform.PageAllocator;
import org.iommulab.api.platform.Zone;
import org.iommulab.platform.internal.core.DevicePlatform;
import org.iommulab.testkit.FakeDrivers;
import org.iommulab.testkit.RecordingBackend;
import org.junit.jupiter.api.Test;

/** Device accesses: translated block by block, counted, and faulting as hardware would. */
class DeviceBusMasterTest {
    private static final int PAGE = (int) PageAllocator.PAGE_SIZE;
    /** Bus pages 0x100..0x102 (addresses 0x100000..) map to scrambled physical pages. */
    private static final long BUS = 0x10_0000L;

    private final DevicePlatform platform = platform(new FakeDrivers());
    private final RecordingBackend backend = new RecordingBackend("fake", 0);
    private final long[] phys = new long[3];
    private BusMaster bus;

    private void bound() {
        platform.addBackend(backend, props(backend, 0));
        platform.addDevice(DeviceDescriptor.builder("dev0").streamIds(5, 6).dmaMask(~0L).build());
        bus = platform.busMaster("dev0");
        for (int i = 0; i < 3; i++) {
            phys[i] = platform.allocator().allocPages(1, Zone.NORMAL);
        }
        // Bus page 0 -> phys[2], 1 -> phys[0], 2 -> phys[1]: contiguous on the bus, scattered in RAM.
        backend.pageMap.put(BUS >>> 12, phys[2] >>> 12);
        backend.pageMap.put((BUS >>> 12) + 1, phys[0] >>> 12);
        backend.pageMap.put((BUS >>> 12) + 2, phys[1] >>> 12);
    }

    @Test
    void bulkAccessesAreCutAtPageBoundariesAndEachPieceTranslated() {
        bound();
        byte[] data = new byte[2 * PAGE + 50];
        new Random(1).nextBytes(data);
        long start = BUS + 100;

        bus.write(start, data, 0, data.length);

        assertEquals(3, backend.translations.get(), "one translation per page touched");
        byte[] got = new byte[PAGE - 100];
        platform.memory().read(phys[2] + 100, got, 0, got.length);
        assertArrayEquals(java.util.Arrays.copyOfRange(data, 0, PAGE - 100), got);
        got = new byte[PAGE];
        platform.memory().read(phys[0], got, 0, PAGE);
        assertArrayEquals(java.util.Arrays.copyOfRange(data, PAGE - 100, 2 * PAGE - 100), got);
        got = new byte[150];
        platform.memory().read(phys[1], got, 0, 150);
        assertArrayEquals(java.util.Arrays.copyOfRange(data, 2 * PAGE - 100, data.length), got);

        byte[] back = new byte[data.length + 4];
        bus.read(start, back, 2, data.length);
        assertArrayEquals(data, java.util.Arrays.copyOfRange(back, 2, 2 + data.length));
        assertEquals(data.length, platform.stats("dev0").get(Stat.DEVICE_WRITE_BYTES));
        assertEquals(data.length, platform.stats("dev0").get(Stat.DEVICE_READ_BYTES));
    }

    @Test
    void wordsAcrossABoundaryGoByteByByteThroughBothPages() {
        bound();
        bus.writeLong(BUS + PAGE - 3, 0x1122_3344_5566_7788L);
        assertEquals((byte) 0x88, platform.memory().readByte(phys[2] + PAGE - 3));
        assertEquals((byte) 0x66, platform.memory().readByte(phys[2] + PAGE - 1));
        assertEquals((byte) 0x55, platform.memory().readByte(phys[0]));
        assertEquals((byte) 0x11, platform.memory().readByte(phys[0] + 4));
        assertEquals(0x1122_3344_5566_7788L, bus.readLong(BUS + PAGE - 3));
        bus.writeInt(BUS + 2 * PAGE - 2, 0xAABB_CCDD);
        assertEquals(0xAABB_CCDD, bus.readInt(BUS + 2 * PAGE - 2));
        assertEquals((byte) 0xBB, platform.memory().readByte(phys[1]));
        assertEquals((byte) 0xAA, platform.memory().readByte(phys[1] + 1));
        bus.writeByte(BUS + 5, (byte) 7);
        assertEquals(7, bus.readByte(BUS + 5));
        bus.writeInt(BUS + 8, -2);
        assertEquals(-2, bus.readInt(BUS + 8));
        assertEquals(8 + 4 + 1 + 4, platform.stats("dev0").get(Stat.DEVICE_WRITE_BYTES));
    }

    @Test
    void fillFollowsTheTranslationToo() {
        bound();
        bus.fill(BUS + PAGE - 10, 20, (byte) 0x5a);
        assertEquals(0x5a, platform.memory().readByte(phys[2] + PAGE - 10));
        assertEquals(0x5a, platform.memory().readByte(phys[0] + 9));
        assertEquals(0, platform.memory().readByte(phys[0] + 10));
        assertEquals(20, platform.stats("dev0").get(Stat.DEVICE_WRITE_BYTES));
    }

    @Test
    void largerTranslationBlocksMeanFewerTranslations() {
        backend.pageShift = 16;
        platform.addBackend(backend, props(backend, 0));
        platform.addDevice(DeviceDescriptor.builder("dev0").streamIds(5).dmaMask(~0L).build());
        long p = platform.allocator().allocPages(32, Zone.NORMAL);
        byte[] data = new byte[3 * PAGE];
        platform.busMaster("dev0").read(p + 0xF000, data, 0, data.length);
        assertEquals(2, backend.translations.get(), "the range crosses one 64 KiB boundary");
    }

    @Test
    void aFaultPartWayLeavesTheEarlierPagesWritten() {
        bound();
        backend.faultingPages.add((BUS >>> 12) + 1);
        byte[] data = new byte[2 * PAGE];
        java.util.Arrays.fill(data, (byte) 1);
        DmaFaultException e = assertThrows(DmaFaultException.class, () -> bus.write(BUS, data, 0, data.length));
        assertEquals(FaultKind.TRANSLATION, e.fault().kind());
        assertEquals(BUS + PAGE, e.fault().address());
        assertEquals(1, platform.memory().readByte(phys[2] + PAGE - 1));
        assertEquals(0, platform.memory().readByte(phys[0]));
        assertEquals(PAGE, platform.stats("dev0").get(Stat.DEVICE_WRITE_BYTES));
        assertEquals(1, platform.stats("dev0").get(Stat.FAULTS), "reported once, by the backend");
        assertEquals(List.of(e.fault()), platform.faults());
    }

    @Test
    void aReadFaultPartWayHasCopiedTheEarlierPages() {
        bound();
        platform.memory().fill(phys[2], PAGE, (byte) 7);
        backend.faultingPages.add((BUS >>> 12) + 1);
        byte[] dst = new byte[2 * PAGE];
        DmaFaultException e = assertThrows(DmaFaultException.class, () -> bus.read(BUS, dst, 0, dst.length));
        assertEquals(BUS + PAGE, e.fault().address());
        assertEquals(7, dst[0], "the page before the fault was read");
        assertEquals(7, dst[PAGE - 1]);
        assertEquals(0, dst[PAGE], "nothing of the faulting page");
        assertEquals(PAGE, platform.stats("dev0").get(Stat.DEVICE_READ_BYTES));
        assertEquals(2, backend.translations.get());
    }

    /**
     * Pages contiguous in RAM are copied together, but never across the end of a RAM region:
     * the default layout's regions [1 GiB, 4 GiB) and [4 GiB, 8 GiB) touch, so bus pages mapped
     * to 0xFFFF_F000 and 0x1_0000_0000 are contiguous physically yet in two regions; each is
     * RAM, so the read succeeds.
     */
    @Test
    void aReadOfPhysicallyContiguousPagesAcrossTwoRegions() {
        bound();
        long top = 0xFFFF_F000L;
        long next = 0x1_0000_0000L;
        platform.memory().fill(top, PAGE, (byte) 1);
        platform.memory().fill(next, PAGE, (byte) 2);
        platform.memory().fill(next + PAGE, PAGE, (byte) 3);
        backend.pageMap.put(0x200L, top >>> 12);
        backend.pageMap.put(0x201L, next >>> 12);
        backend.pageMap.put(0x202L, (next >>> 12) + 1);
        byte[] dst = new byte[3 * PAGE - 20];
        bus.read(0x200_000L + 10, dst, 0, dst.length);
        assertEquals(1, dst[0]);
        assertEquals(1, dst[PAGE - 11]);
        assertEquals(2, dst[PAGE - 10]);
        assertEquals(3, dst[2 * PAGE - 10]);
        assertEquals(3, dst[dst.length - 1]);
        assertEquals(3, backend.translations.get(), "still one translation per page");
        assertEquals(dst.length, platform.stats("dev0").get(Stat.DEVICE_READ_BYTES));
    }

    @Test
    void aReadReachingPastRamAfterAContiguousRunFaultsThere() {
        bound();
        long p = platform.allocator().allocPages(2, Zone.NORMAL);
        platform.memory().fill(p, 2 * PAGE, (byte) 9);
        backend.pageMap.put(0x300L, p >>> 12);
        backend.pageMap.put(0x301L, (p >>> 12) + 1);
        backend.pageMap.put(0x302L, 0x10L); // physical 0x10000, below RAM
        byte[] dst = new byte[3 * PAGE];
        DmaFaultException e = assertThrows(DmaFaultException.class, () -> bus.read(0x300_000L, dst, 0, dst.length));
        assertEquals(FaultKind.EXTERNAL_ABORT, e.fault().kind());
        assertEquals(0x302_000L, e.fault().address());
        assertEquals(9, dst[2 * PAGE - 1], "the contiguous run before the fault was read");
        assertEquals(0, dst[2 * PAGE]);
        assertEquals(2 * PAGE, platform.stats("dev0").get(Stat.DEVICE_READ_BYTES));
    }

    @Test
    void anUnboundDeviceFaultsWithStreamDisabledOnBackendNone() {
        platform.addDevice(DeviceDescriptor.builder("dev0").streamIds(9).dmaMask(~0L).build());
        List<DmaFault> heard = new ArrayList<>();
        platform.addFaultListener(heard::add);
        BusMaster m = platform.busMaster("dev0");

        DmaFaultException e = assertThrows(DmaFaultException.class, () -> m.readLong(0x1000));
        DmaFault f = e.fault();
        assertEquals(FaultKind.STREAM_DISABLED, f.kind());
        assertEquals("none", f.backend());
        assertEquals("dev0", f.device());
        assertEquals(9, f.streamId());
        assertEquals(AccessType.READ, f.access());
        assertEquals(List.of(f), heard);
        assertEquals(List.of(f), platform.faults());
        assertEquals("none", platform.stats("dev0").backend());
        assertEquals(1, platform.stats("dev0").get(Stat.FAULTS));
        assertThrows(DmaFaultException.class, () -> m.write(0, new byte[4], 0, 4));
        assertEquals(AccessType.WRITE, platform.faults().get(1).access());
    }

    @Test
    void aTranslationOutsideRamIsAnExternalAbort() {
        bound();
        backend.pageMap.put(0x7L, 0x10L); // bus page 7 -> physical 0x10000, below RAM
        DmaFaultException e = assertThrows(DmaFaultException.class, () -> bus.readInt(0x7000));
        assertEquals(FaultKind.EXTERNAL_ABORT, e.fault().kind());
        assertEquals("fake", e.fault().backend());
        assertTrue(e.fault().detail().contains("not RAM"), e.fault().detail());
        assertEquals(1, platform.stats("dev0").get(Stat.FAULTS));
    }

    @Test
    void otherStreamsOfTheDeviceOnly() {
        bound();
        assertEquals("dev0", bus.deviceName());
        assertEquals(5, bus.streamId());
        BusMaster six = bus.withStream(6);
        assertEquals(6, six.streamId());
        six.readByte(BUS);
        assertEquals(6, backend.lastStreamId);
        bus.readByte(BUS);
        assertEquals(5, backend.lastStreamId);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> bus.withStream(7));
        assertTrue(e.getMessage().contains("does not own stream ID 7"));
        assertSame(bus, platform.busMaster("dev0"));
    }

    @Test
    void badArgumentsAreRefusedBeforeAnyAccess() {
        bound();
        assertThrows(IllegalArgumentException.class, () -> bus.read(BUS, null, 0, 1));
        assertThrows(IndexOutOfBoundsException.class, () -> bus.write(BUS, new byte[4], 2, 4));
        assertThrows(IllegalArgumentException.class, () -> bus.fill(BUS, -1, (byte) 0));
        assertThrows(IllegalArgumentException.class, () -> bus.readLong(-4));
        assertEquals(0, backend.translations.get());
    }
}
