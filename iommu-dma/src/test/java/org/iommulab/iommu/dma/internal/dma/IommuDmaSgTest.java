package org.iommulab.iommu.dma.internal.dma;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.iommulab.api.backend.BackendCounter;
import org.iommulab.api.dma.DmaAttrs;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.dma.DmaErrno;
import org.iommulab.api.dma.DmaMasks;
import org.iommulab.api.dma.SgTable;
import org.iommulab.api.iommu.IommuErrno;
import org.iommulab.api.platform.DmaFaultException;
import org.iommulab.platform.internal.device.SimDmaDevice;
import org.junit.jupiter.api.Test;

/** iommu_dma_map_sg's results, entry by entry, against what Linux computes. */
class IommuDmaSgTest {
    private static final int K4 = 4096;
    private final Rig rig = new Rig();

    private static SgTable table(long[] phys, int[] len) {
        return SgTable.of(phys, len);
    }

    private static void assertSegments(SgTable sg, long[]... segs) {
        assertEquals(segs.length, sg.nents(), sg.toString());
        for (int i = 0; i < segs.length; i++) {
            assertEquals(segs[i][0], sg.dmaAddress(i), "segment " + i + " address, " + sg);
            assertEquals(segs[i][1], sg.dmaLength(i), "segment " + i + " length, " + sg);
        }
        for (int i = segs.length; i < sg.origNents(); i++) {
            assertEquals(DmaMasks.MAPPING_ERROR, sg.dmaAddressField(i), "unused slot " + i);
            assertEquals(0, sg.dmaLengthField(i), "unused slot " + i);
        }
    }

    @Test
    void fourPageAlignedEntriesOfOneBufferAreOneSegment() throws Exception {
        SimDmaDevice d = rig.device(Rig.dev("nic", 1));
        IommuDmaBinding b = rig.attach(false, d);
        long buf = rig.pages(4, (byte) 0x5a);
        SgTable sg = table(new long[] {buf, buf + K4, buf + 2 * K4, buf + 3 * K4}, new int[] {K4, K4, K4, K4});
        assertEquals(1, b.ops().mapSg(sg, 4, DmaDirection.TO_DEVICE, 0));
        long iova = sg.dmaAddress(0);
        assertSegments(sg, new long[] {iova, 4 * K4});
        assertThrows(IllegalStateException.class, () -> sg.dmaAddress(1), "DMA segment 1 does not exist");
        for (int i = 0; i < 4; i++) {
            assertEquals(0x5a5a5a5a5a5a5a5aL, Rig.read(b, d, iova + i * K4 + 8));
        }
        b.ops().unmapSg(sg, 4, DmaDirection.TO_DEVICE, 0);
        assertThrows(DmaFaultException.class, () -> Rig.read(b, d, iova));
        assertEquals(0, b.counter(BackendCounter.IOVA_BYTES_IN_USE));
    }

    @Test
    void scatteredPagesStillMergeInIovaSpace() throws Exception {
        SimDmaDevice d = rig.device(Rig.dev("nic", 1));
        IommuDmaBinding b = rig.attach(false, d);
        long[] phys = new long[4];
        for (int i = 0; i < 4; i++) {
            phys[i] = rig.pages(1, (byte) i);
            rig.pages(1, (byte) 0); // a gap between the pages
        }
        SgTable sg = table(phys, new int[] {K4, K4, K4, K4});
        assertEquals(1, b.ops().mapSg(sg, 4, DmaDirection.BIDIRECTIONAL, 0));
        for (int i = 0; i < 4; i++) {
            assertEquals((byte) i, (byte) Rig.read(b, d, sg.dmaAddress(0) + i * K4));
        }
    }

    @Test
    void unalignedEntriesFollowFinaliseSg() throws Exception {
        SimDmaDevice d = rig.device(Rig.dev("nic", 1));
        IommuDmaBinding b = rig.attach(false, d);
        long p = rig.pages(1, (byte) 1);
        long q = rig.pages(1, (byte) 2);
        long r = rig.pages(1, (byte) 3);
        // Entry 0 ends mid-granule: entry 1 must start a new segment; entry 2 has an offset.
        SgTable sg = table(new long[] {p + 0x100, q, r + 0x80}, new int[] {0x200, K4, 0x100});
        assertEquals(3, b.ops().mapSg(sg, 3, DmaDirection.TO_DEVICE, 0));
        long iova = sg.dmaAddress(0) - 0x100;
        assertEquals(0, iova % K4);
        assertSegments(sg, new long[] {iova + 0x100, 0x200}, new long[] {iova + K4, K4}, new long[] {iova + 2 * K4 + 0x80, 0x100});
        assertEquals(0x0303030303030303L, Rig.read(b, d, sg.dmaAddress(2)));
        b.ops().unmapSg(sg, 3, DmaDirection.TO_DEVICE, 0);
        assertEquals(0, b.counter(BackendCounter.IOVA_BYTES_IN_USE));
        // An aligned entry after a full one merges even if the first started with an offset.
        SgTable sg2 = table(new long[] {p + 0x800, q}, new int[] {0x800, K4});
        assertEquals(1, b.ops().mapSg(sg2, 2, DmaDirection.TO_DEVICE, 0));
        assertSegments(sg2, new long[] {sg2.dmaAddress(0), 0x800 + K4});
        assertEquals(0x800, sg2.dmaAddress(0) & 0xfff);
    }

    @Test
    void segmentBoundaryIsPaddedAndNeverCrossed() throws Exception {
        SimDmaDevice d = rig.device(Rig.dev("disk", 2).segmentBoundaryMask(0xffff).maxSegmentSize(1 << 20));
        IommuDmaBinding b = rig.attach(false, d);
        long p = rig.pages(12, (byte) 1);
        long q = rig.pages(8, (byte) 2);
        SgTable sg = table(new long[] {p, q}, new int[] {12 * K4, 8 * K4});
        assertEquals(2, b.ops().mapSg(sg, 2, DmaDirection.TO_DEVICE, 0));
        long iova = sg.dmaAddress(0);
        // 48K, then 16K of padding so that the 32K entry starts on the 64K boundary.
        assertSegments(sg, new long[] {iova, 12 * K4}, new long[] {iova + 0x10000, 8 * K4});
        assertEquals(0, sg.dmaAddress(1) & 0xffff);
        assertEquals(iova >>> 16, (iova + 12 * K4 - 1) >>> 16, "segment 0 stays inside one boundary window");
        // 96K of IOVA, 24 granules, taken as 32 by alloc_iova_fast.
        assertEquals(32 * K4, b.counter(BackendCounter.IOVA_BYTES_IN_USE));
        assertEquals(0x0202020202020202L, Rig.read(b, d, sg.dmaAddress(1)));
        // Without a boundary the same list is one segment.
        SimDmaDevice d2 = rig.device(Rig.dev("disk2", 3).maxSegmentSize(1 << 20));
        IommuDmaBinding b2 = rig.attach(false, d2);
        SgTable sg2 = table(new long[] {p, q}, new int[] {12 * K4, 8 * K4});
        assertEquals(1, b2.ops().mapSg(sg2, 2, DmaDirection.TO_DEVICE, 0));
        assertEquals(20 * K4, sg2.dmaLength(0));
    }

    @Test
    void maxSegmentSizeSplitsSegments() throws Exception {
        SimDmaDevice d = rig.device(Rig.dev("nic", 1).maxSegmentSize(16 * 1024));
        IommuDmaBinding b = rig.attach(false, d);
        long buf = rig.pages(8, (byte) 7);
        long[] phys = new long[8];
        int[] len = new int[8];
        for (int i = 0; i < 8; i++) {
            phys[i] = buf + i * K4;
            len[i] = K4;
        }
        SgTable sg = table(phys, len);
        assertEquals(2, b.ops().mapSg(sg, 8, DmaDirection.TO_DEVICE, 0));
        long iova = sg.dmaAddress(0);
        assertSegments(sg, new long[] {iova, 4 * K4}, new long[] {iova + 4 * K4, 4 * K4});
        // Linux's default 64K maximum: 32 pages give ceil(128K / 64K) = 2 segments.
        SimDmaDevice d2 = rig.device(Rig.dev("nic2", 2));
        IommuDmaBinding b2 = rig.attach(false, d2);
        long big = rig.pages(32, (byte) 1);
        long[] phys2 = new long[32];
        int[] len2 = new int[32];
        for (int i = 0; i < 32; i++) {
            phys2[i] = big + i * K4;
            len2[i] = K4;
        }
        SgTable sg2 = table(phys2, len2);
        assertEquals(2, b2.ops().mapSg(sg2, 32, DmaDirection.TO_DEVICE, 0));
        assertEquals(65536, sg2.dmaLength(0));
        assertEquals(65536, sg2.dmaLength(1));
    }

    @Test
    void sixtyFourKGranuleLists() {
        SimDmaDevice d = rig.device(Rig.dev("gpu", 1));
        LpaeTestDomain dom = new LpaeTestDomain((1L << 16) | (1L << 29), 48, rig.mem, rig.alloc);
        IommuDmaOps ops = IommuDmaOps.create(d, dom, false, rig.settings(false), () -> null, new DmaCounters());
        assertEquals(1L << 16, ops.granule());
        long p = rig.alloc.allocPages(16, org.iommulab.api.platform.Zone.NORMAL);
        long q = rig.alloc.allocPages(16, org.iommulab.api.platform.Zone.NORMAL);
        assertEquals(0, p & 0xffff);
        // Two 4K buffers at 64K-aligned addresses: each takes a whole granule of IOVA and, ending
        // mid-granule, closes its segment.
        SgTable sg = table(new long[] {p, q + 0x1000}, new int[] {K4, K4});
        assertEquals(2, ops.mapSg(sg, 2, DmaDirection.FROM_DEVICE, 0));
        long iova = sg.dmaAddress(0);
        assertEquals(0, iova & 0xffff);
        assertSegments(sg, new long[] {iova, K4}, new long[] {iova + 0x10000 + 0x1000, K4});
        assertEquals(q + 0x1000, dom.iovaToPhys(sg.dmaAddress(1)));
        // Whole 64K granules are contiguous in IOVA space, but Linux's default 64K maximum
        // segment size keeps them apart.
        SgTable sg2 = table(new long[] {p, q}, new int[] {0x10000, 0x10000});
        assertEquals(2, ops.mapSg(sg2, 2, DmaDirection.FROM_DEVICE, 0));
        assertSegments(sg2, new long[] {sg2.dmaAddress(0), 0x10000}, new long[] {sg2.dmaAddress(0) + 0x10000, 0x10000});
        ops.unmapSg(sg, 2, DmaDirection.FROM_DEVICE, 0);
        ops.unmapSg(sg2, 2, DmaDirection.FROM_DEVICE, 0);
        assertEquals(0, dom.iovaToPhys(iova));
        // With a larger maximum they merge into one 128K segment.
        SimDmaDevice big = rig.device(Rig.dev("gpu2", 2).maxSegmentSize(1 << 20));
        IommuDmaOps ops2 = IommuDmaOps.create(big, dom, false, rig.settings(false), () -> null, new DmaCounters());
        SgTable sg3 = table(new long[] {p, q}, new int[] {0x10000, 0x10000});
        assertEquals(1, ops2.mapSg(sg3, 2, DmaDirection.FROM_DEVICE, 0));
        assertSegments(sg3, new long[] {sg3.dmaAddress(0), 0x20000});
    }

    @Test
    void iovaExhaustionFailsWithEnomemAndChangesNothing() throws Exception {
        SimDmaDevice d = rig.device(Rig.dev("tiny", 1).dmaMask(DmaMasks.bits(16)));
        IommuDmaBinding b = rig.attach(false, d);
        long buf = rig.pages(16, (byte) 0);
        long[] phys = new long[16];
        int[] len = new int[16];
        for (int i = 0; i < 16; i++) {
            phys[i] = buf + i * K4;
            len[i] = K4;
        }
        SgTable sg = table(phys, len);
        long bytes = rig.alloc.allocatedBytes();
        List<long[]> ranges = b.dmaOps().iovaDomain().ranges();
        assertEquals(DmaErrno.ENOMEM, b.ops().mapSg(sg, 16, DmaDirection.TO_DEVICE, 0));
        assertEquals(0, sg.nents());
        for (int i = 0; i < 16; i++) {
            assertEquals(DmaMasks.MAPPING_ERROR, sg.dmaAddressField(i));
            assertEquals(0, sg.dmaLengthField(i));
        }
        assertEquals(rig.alloc.allocatedBytes(), bytes);
        assertRangesEqual(ranges, b.dmaOps().iovaDomain().ranges());
        assertEquals(0, b.counter(BackendCounter.IOVA_BYTES_IN_USE));
        assertTrue(d.warnings().stream().anyMatch(w -> w.contains("no IOVA space")), d.warnings().toString());
        // NO_WARN silences it.
        int warnings = d.warnings().size();
        assertEquals(DmaErrno.ENOMEM, b.ops().mapSg(sg, 16, DmaDirection.TO_DEVICE, DmaAttrs.NO_WARN));
        assertEquals(warnings, d.warnings().size());
    }

    @Test
    void domainFailureMidwayUnmapsEverythingAndFreesTheIova() {
        SimDmaDevice d = rig.device(Rig.dev("nic", 1));
        LpaeTestDomain dom = new LpaeTestDomain((1L << 12) | (1L << 21) | (1L << 30), 48, rig.mem, rig.alloc);
        IommuDmaOps ops = IommuDmaOps.create(d, dom, false, rig.settings(false), () -> null, new DmaCounters());
        // 40 physically separate pages: 40 granules, not cacheable, so the IOVA tree itself must
        // come back to its state before the call.
        long[] phys = new long[40];
        int[] len = new int[40];
        for (int i = 0; i < 40; i++) {
            phys[i] = rig.pages(2, (byte) 0);
            len[i] = K4;
        }
        SgTable sg = table(phys, len);
        dom.failOnMap = 3;
        dom.failWith = IommuErrno.EEXIST;
        long bytes = rig.alloc.allocatedBytes();
        List<long[]> before = ops.iovaDomain().ranges();
        assertEquals(DmaErrno.EINVAL, ops.mapSg(sg, 40, DmaDirection.TO_DEVICE, 0), "errors other than ENOMEM become EINVAL");
        long firstIova = dom.maps.get(0)[0];
        assertEquals(0, dom.iovaToPhys(firstIova), "the runs mapped before the failure were unmapped");
        assertEquals(0, dom.iovaToPhys(dom.maps.get(1)[0]));
        assertEquals(1, dom.syncs, "iommu_unmap synced the IOTLB");
        assertRangesEqual(before, ops.iovaDomain().ranges());
        // Every translation is gone; the tables the first runs needed stay linked, empty, as
        // io-pgtable-arm keeps them until the domain is freed: IOVAs below 4 GiB in a 48-bit,
        // 4K-granule table need levels 1, 2 and 3, three pages.
        assertEquals(bytes + 3 * K4, rig.alloc.allocatedBytes(), "only the emptied tables stay");
        assertEquals(0, sg.nents());
        assertEquals(DmaMasks.MAPPING_ERROR, sg.dmaAddressField(0));
        // ENOMEM from the domain propagates.
        dom.maps.clear();
        dom.failOnMap = 1;
        dom.failWith = IommuErrno.ENOMEM;
        assertEquals(DmaErrno.ENOMEM, ops.mapSg(sg, 40, DmaDirection.TO_DEVICE, 0));
        assertRangesEqual(before, ops.iovaDomain().ranges());
    }

    @Test
    void physicallyContiguousRunsAreOneDomainMap() {
        SimDmaDevice d = rig.device(Rig.dev("nic", 1));
        LpaeTestDomain dom = new LpaeTestDomain((1L << 12) | (1L << 21) | (1L << 30), 48, rig.mem, rig.alloc);
        IommuDmaOps ops = IommuDmaOps.create(d, dom, false, rig.settings(false), () -> null, new DmaCounters());
        long a = rig.pages(3, (byte) 0);
        long far = rig.pages(1, (byte) 0) + 0x10_0000;
        SgTable sg = table(new long[] {a, a + K4, a + 2 * K4, far}, new int[] {K4, K4, K4, K4});
        assertEquals(1, ops.mapSg(sg, 4, DmaDirection.TO_DEVICE, 0));
        assertEquals(2, dom.maps.size(), "iommu_map_sg maps each physically contiguous run once");
        assertEquals(3 * K4, dom.maps.get(0)[2]);
    }

    @Test
    void badInputIsRefusedAndChangesNothing() throws Exception {
        SimDmaDevice d = rig.device(Rig.dev("nic", 1));
        IommuDmaBinding b = rig.attach(false, d);
        long buf = rig.pages(2, (byte) 0);
        SgTable sg = table(new long[] {buf, buf + K4}, new int[] {K4, K4});
        assertThrows(IllegalArgumentException.class, () -> b.ops().mapSg(sg, 3, DmaDirection.TO_DEVICE, 0));
        assertThrows(IllegalArgumentException.class, () -> b.ops().mapSg(sg, 0, DmaDirection.TO_DEVICE, 0));
        assertThrows(IllegalArgumentException.class, () -> b.ops().mapSg(sg, 2, DmaDirection.NONE, 0));
        assertThrows(IllegalArgumentException.class, () -> b.ops().mapSg(null, 2, DmaDirection.TO_DEVICE, 0));
        assertEquals(0, sg.nents());
        assertEquals(DmaMasks.MAPPING_ERROR, sg.dmaAddressField(0));
        assertEquals(0, b.dmaOps().iovaDomain().rangeCount());
        assertEquals(0, b.counter(BackendCounter.IOVA_BYTES_IN_USE));
    }

    @Test
    void untrustedDevicesMapEachEntryAlone() throws Exception {
        SimDmaDevice d = rig.device(Rig.dev("thunderbolt", 1).trusted(false));
        IommuDmaBinding b = rig.attach(true, d);
        assertEquals(false, b.lazy(), "untrusted devices are always strict");
        long buf = rig.pages(4, (byte) 9);
        SgTable sg = table(new long[] {buf, buf + K4, buf + 2 * K4, buf + 3 * K4}, new int[] {K4, K4, K4, K4});
        assertEquals(4, b.ops().mapSg(sg, 4, DmaDirection.TO_DEVICE, 0));
        List<Long> addrs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            assertEquals(K4, sg.dmaLength(i));
            addrs.add(sg.dmaAddress(i));
        }
        assertEquals(4, addrs.stream().distinct().count());
        b.ops().unmapSg(sg, 4, DmaDirection.TO_DEVICE, 0);
        assertEquals(0, b.counter(BackendCounter.IOVA_BYTES_IN_USE));
        for (long a : addrs) {
            assertThrows(DmaFaultException.class, () -> Rig.read(b, d, a));
        }
    }

    @Test
    void untrustedFailureUnmapsTheEntriesAlreadyMapped() throws Exception {
        SimDmaDevice d = rig.device(Rig.dev("thunderbolt", 1).trusted(false));
        IommuDmaBinding b = rig.attach(false, d);
        long buf = rig.pages(2, (byte) 9);
        // The second entry is unaligned and there is no swiotlb pool: it cannot be mapped.
        SgTable sg = table(new long[] {buf, buf + K4 + 0x10}, new int[] {K4, 0x100});
        assertEquals(DmaErrno.EIO, b.ops().mapSg(sg, 2, DmaDirection.TO_DEVICE, 0));
        assertEquals(0, sg.nents());
        assertEquals(0, b.counter(BackendCounter.IOVA_BYTES_IN_USE));
        assertNotEquals(0, d.warnings().size());
    }

    static void assertRangesEqual(List<long[]> want, List<long[]> got) {
        assertEquals(want.size(), got.size());
        for (int i = 0; i < want.size(); i++) {
            assertEquals(java.util.Arrays.toString(want.get(i)), java.util.Arrays.toString(got.get(i)));
        }
    }
}
