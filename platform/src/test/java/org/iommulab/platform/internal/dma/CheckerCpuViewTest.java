package org.iommulab.platform.internal.dma;

import static org.iommulab.platform.internal.dma.CheckerFixture.PAGE;
import static org.iommulab.platform.internal.dma.CheckerFixture.assertFinding;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.iommulab.api.checker.Finding;
import org.iommulab.api.checker.FindingKind;
import org.iommulab.api.dma.CoherentAllocation;
import org.iommulab.api.dma.DmaApi;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.dma.SgTable;
import org.iommulab.api.platform.MemoryAccess;
import org.iommulab.api.platform.PhysicalMemory;
import org.junit.jupiter.api.Test;

/**
 * The checked CPU view (beyond Linux): a CPU access to a streaming buffer the device owns, or to
 * memory no allocation holds, is a finding; the access still happens.
 */
class CheckerCpuViewTest {
    private static final DmaDirection TO = DmaDirection.TO_DEVICE;
    private static final DmaDirection FROM = DmaDirection.FROM_DEVICE;
    private static final DmaDirection BIDI = DmaDirection.BIDIRECTIONAL;

    private final CheckerFixture f = new CheckerFixture();
    private final DmaApi api = f.api;
    private final MemoryAccess cpu = api.cpu();
    private final PhysicalMemory raw = f.platform.memory();

    @Test
    void readingAReceiveBufferBeforeSyncForCpuIsABugAndTheReadStillHappens() {
        long buf = f.page();
        raw.writeLong(buf + 8, 0x1122334455667788L);
        long dma = f.map(buf, PAGE, FROM);
        assertEquals(0x1122334455667788L, cpu.readLong(buf + 8), "the access happens, as on hardware");
        Finding x = f.only(FindingKind.CPU_ACCESS_DEVICE_OWNED);
        assertFinding(x, FindingKind.CPU_ACCESS_DEVICE_OWNED, dma, PAGE, FROM, String.format(
                " [cpu read at 0x%x] [len=8] [device address=0x%016x] [size=4096 bytes] [mapped with DMA_FROM_DEVICE] [mapped as single]",
                buf + 8, dma));
        api.syncSingleForCpu(dma, PAGE, FROM);
        cpu.readLong(buf + 8);
        cpu.writeInt(buf, 7);
        f.none();
        api.syncSingleForDevice(dma, PAGE, FROM);
        cpu.readByte(buf + 100);
        f.only(FindingKind.CPU_ACCESS_DEVICE_OWNED);
        api.unmapPhys(dma, PAGE, FROM, 0);
        cpu.readByte(buf + 100);
        f.none();
    }

    @Test
    void mappingsUnmappedBeforeAnyCpuAccessLeaveNothingBehindAndLiveOnesAreStillSeen() {
        // Single mappings join the checker's CPU-range index only when a CPU access looks: the
        // ownership rule must come out the same whether or not a CPU access came between map and unmap.
        long a = f.page();
        long b = f.page();
        long da = f.map(a, PAGE, FROM);
        long db = f.map(b, PAGE, FROM);
        api.unmapPhys(da, PAGE, FROM, 0); // never indexed
        cpu.readByte(a);
        f.none();
        cpu.readByte(b + 1); // b is indexed now, and device-owned
        f.only(FindingKind.CPU_ACCESS_DEVICE_OWNED);
        api.unmapPhys(db, PAGE, FROM, 0); // indexed: leaves the index
        cpu.readByte(b + 1);
        f.none();
        for (int i = 0; i < 100; i++) { // a pending list that grows and shrinks
            long d1 = f.map(a, PAGE, TO);
            long d2 = f.map(b, PAGE, FROM);
            api.unmapPhys(d1, PAGE, TO, 0);
            if (i == 99) {
                cpu.writeByte(b, (byte) 1);
                f.only(FindingKind.CPU_ACCESS_DEVICE_OWNED);
            }
            api.unmapPhys(d2, PAGE, FROM, 0);
        }
        cpu.writeByte(a, (byte) 1);
        cpu.writeByte(b, (byte) 1);
        f.none();
    }

    @Test
    void aTransmitBufferMayBeReadButNotWrittenWhileTheDeviceOwnsIt() {
        long buf = f.page();
        cpu.fill(buf, PAGE, (byte) 0x5A);
        long dma = f.map(buf, PAGE, TO);
        cpu.readInt(buf);
        cpu.read(buf, new byte[64], 0, 64);
        f.none();
        cpu.writeByte(buf + 3, (byte) 1);
        assertEquals(" [cpu write at 0x" + Long.toHexString(buf + 3) + "] [len=1] "
                + String.format("[device address=0x%016x]", dma), f.only(FindingKind.CPU_ACCESS_DEVICE_OWNED).message()
                        .replaceAll(".*owns(.*\\[device address=0x[0-9a-f]+\\]).*", "$1"));
        assertEquals((byte) 1, raw.readByte(buf + 3), "the write happened");
    }

    @Test
    void oneFindingPerMappingUntilItsOwnerChanges() {
        long buf = f.page();
        long dma = f.map(buf, PAGE, BIDI);
        for (int i = 0; i < 100; i++) {
            cpu.writeByte(buf + i, (byte) i);
        }
        f.only(FindingKind.CPU_ACCESS_DEVICE_OWNED);
        api.syncSingleForCpu(dma, PAGE, BIDI);
        cpu.writeByte(buf, (byte) 1);
        api.syncSingleForDevice(dma, PAGE, BIDI);
        f.none();
        cpu.writeByte(buf, (byte) 2);
        f.only(FindingKind.CPU_ACCESS_DEVICE_OWNED);
    }

    @Test
    void aPartialSyncForCpuGivesTheCpuOnlyThoseBytes() {
        long buf = f.page();
        long dma = f.map(buf, PAGE, FROM);
        api.syncSingleRangeForCpu(dma, 0, 64, FROM);
        cpu.read(buf, new byte[64], 0, 64);
        f.none();
        cpu.readByte(buf + 64);
        f.only(FindingKind.CPU_ACCESS_DEVICE_OWNED);
        // Giving the header back to the device: the CPU owns nothing again.
        api.syncSingleRangeForDevice(dma, 0, 64, FROM);
        cpu.readByte(buf);
        f.only(FindingKind.CPU_ACCESS_DEVICE_OWNED);
    }

    @Test
    void anSgTableIsOwnedWholeUntilSyncedForTheCpu() {
        long a = f.page();
        long b = f.page();
        SgTable sg = SgTable.of(new long[] {a, b}, new int[] {2048, 4096});
        api.mapSgtable(sg, FROM, 0);
        cpu.readInt(b + 100);
        Finding x = f.only(FindingKind.CPU_ACCESS_DEVICE_OWNED);
        assertFinding(x, FindingKind.CPU_ACCESS_DEVICE_OWNED, sg.dmaAddress(0), 6144, FROM, String.format(
                " [cpu read at 0x%x] [len=4] [device address=0x%016x] [size=6144 bytes] [mapped with DMA_FROM_DEVICE] [mapped as scatter-gather] [sg entries=2] [dma segments=2]",
                b + 100, sg.dmaAddress(0)));
        cpu.readInt(a + 2048);
        f.none();
        api.syncSgtableForCpu(sg, FROM);
        cpu.readInt(a);
        cpu.readInt(b);
        f.none();
        api.unmapSgtable(sg, FROM, 0);
    }

    @Test
    void coherentBuffersAreNeverDeviceOwned() {
        CoherentAllocation c = api.allocCoherent(PAGE);
        cpu.writeLong(c.cpuAddress(), 1);
        cpu.readLong(c.cpuAddress());
        f.none();
    }

    @Test
    void touchingMemoryNoAllocationHolds() {
        long gone = f.page();
        f.platform.allocator().free(gone);
        cpu.writeInt(gone + 16, 0xCAFE);
        Finding x = f.only(FindingKind.CPU_ACCESS_UNALLOCATED);
        assertFinding(x, FindingKind.CPU_ACCESS_UNALLOCATED, -1, -1, null,
                String.format(" [cpu write at 0x%x] [len=4] [first unallocated byte=0x%x]", gone + 16, gone + 16));
        assertEquals(0xCAFE, raw.readInt(gone + 16), "the write happened");
        // A kmalloc object overrun into the free slot after it.
        long obj = f.kmalloc(64);
        cpu.fill(obj, 64, (byte) 1);
        f.none();
        cpu.fill(obj, 72, (byte) 1);
        assertEquals(true, f.only(FindingKind.CPU_ACCESS_UNALLOCATED).message()
                .endsWith(String.format("[first unallocated byte=0x%x]", obj + 64)));
    }

    /**
     * The bug DESIGN.md names: an IOMMU merged the sg list (1 DMA segment for 2 entries) and the
     * driver, pairing DMA segment 0 with CPU entry 0, writes "CPU entry 0 at offset 4 KiB": past
     * entry 0's page, into memory that is not the transfer's.
     */
    @Test
    void aDriverThatPairsMergedDmaSegmentsWithCpuEntriesIsCaught() {
        f.backend.mergeSg = true;
        long a = f.page();
        long hole = f.page();
        long b = f.page();
        f.platform.allocator().free(hole);
        assertEquals(a + 4096, hole, "first fit: the freed page follows entry 0");
        SgTable sg = SgTable.of(new long[] {a, b}, new int[] {4096, 4096});
        assertEquals(1, api.mapSg(sg, 2, TO, 0));
        // The buggy PIO: "segment 0 is 8 KiB long, so its second half is at entry 0 + 4 KiB".
        cpu.write(sg.cpuPhys(0) + 4096, new byte[512], 0, 512);
        f.only(FindingKind.CPU_ACCESS_UNALLOCATED);
        // When the page after entry 0 is entry 1 itself, the write lands in a buffer the device owns.
        long c = f.pages(2);
        SgTable contiguous = SgTable.of(new long[] {c, c + 4096}, new int[] {4096, 4096});
        assertEquals(1, api.mapSg(contiguous, 2, TO, 0));
        cpu.write(contiguous.cpuPhys(0) + 4096, new byte[512], 0, 512);
        f.only(FindingKind.CPU_ACCESS_DEVICE_OWNED);
    }

    @Test
    void badCpuInputIsLeftToTheMemory() {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> cpu.fill(f.page(), -1, (byte) 0));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> cpu.readByte(0x10));
        // 0x10 is not RAM: the unallocated finding is raised, then the memory refuses the access.
        f.only(FindingKind.CPU_ACCESS_UNALLOCATED);
    }
}
