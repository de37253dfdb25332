package org.iommulab.iommu.dma.internal.dma;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.iommulab.api.backend.BackendCounter;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.dma.SgTable;
import org.iommulab.api.platform.DmaFaultException;
import org.iommulab.platform.internal.device.SimDmaDevice;
import org.junit.jupiter.api.Test;

/**
 * What {@code dma_map_sg} of 64 discontiguous pages and its {@code dma_unmap_sg} do to the page
 * tables and the IOTLB, worked out from Linux (v6.x {@code drivers/iommu/dma-iommu.c},
 * {@code iommu.c}, {@code io-pgtable-arm.c}), not from this code:
 * <ul>
 * <li>{@code iommu_dma_map_sg} allocates one IOVA of 64 granules and {@code iommu_map_sg} calls
 * {@code __iommu_map} once per physically contiguous run: 64 calls, each one
 * {@code arm_lpae_map_pages(pgsize 4K, pgcount 1)}.</li>
 * <li>Each leaf is {@code arm_lpae_prot_to_pte(IOMMU_READ | IOMMU_CACHE)} (TO_DEVICE on a
 * coherent device) for stage 1: nG (1 << 11 = 0x800) | AP_RDONLY (2 << 6 = 0x80) | AP_UNPRIV
 * (1 << 6 = 0x40) | ATTRINDX = MAIR_ATTR_IDX_CACHE (1 << 2 = 0x4) | SH_IS (3 << 8 = 0x300) | AF
 * (1 << 10 = 0x400), plus {@code __arm_lpae_init_pte}'s TYPE_PAGE (3) and the address: phys |
 * 0xfc7.</li>
 * <li>{@code __finalise_sg} cuts the IOVA at the device's max segment size (64 KiB by default):
 * 4 back-to-back DMA segments.</li>
 * <li>{@code iommu_dma_unmap_sg} unmaps the whole IOVA range once, first segment to end of last ({@code __iommu_dma_unmap}):
 * {@code iommu_pgsize} gives 4K x 64, {@code __arm_lpae_unmap} clears the PTEs and adds each
 * page to the one {@code iommu_iotlb_gather}; the pages are contiguous, so the gather is never
 * disjoint and never synced early: exactly one {@code iommu_iotlb_sync}, for
 * [iova, iova + 256 KiB - 1]. The generic IOMMU's {@code iotlb_sync} is one INV_RANGE (+ SYNC):
 * one IOTLB invalidation in all.</li>
 * <li>Tables stay linked when their last leaf goes (Linux frees them with the domain).</li>
 * </ul>
 */
class IommuDmaSgShapeTest {
    private static final int K4 = 4096;
    private static final int N = 64;
    private final Rig rig = new Rig();

    private SgTable discontiguous(long[] phys) {
        int[] len = new int[N];
        for (int i = 0; i < N; i++) {
            phys[i] = rig.pages(1, (byte) i);
            rig.pages(1, (byte) 0); // a gap: no two entries are physically contiguous
            len[i] = K4;
        }
        return SgTable.of(phys, len);
    }

    /** The level-3 descriptor of {@code iova} in a 48-bit, 4 KiB-granule stage-1 table (start level 0). */
    private long leaf(long ttb, long iova) {
        long table = ttb;
        for (int shift = 39; shift > 12; shift -= 9) {
            long pte = rig.mem.readLong(table + 8 * ((iova >>> shift) & 511));
            assertEquals(3, pte & 3, "a table descriptor at shift " + shift);
            table = pte & 0x0000_ffff_ffff_f000L;
        }
        return rig.mem.readLong(table + 8 * ((iova >>> 12) & 511));
    }

    @Test
    void sixtyFourPagesAreSixtyFourMapsOneUnmapAndOneSync() {
        SimDmaDevice d = rig.device(Rig.dev("nic", 1));
        LpaeTestDomain dom = new LpaeTestDomain((1L << 12) | (1L << 21) | (1L << 30), 48, rig.mem, rig.alloc);
        IommuDmaOps ops = IommuDmaOps.create(d, dom, false, rig.settings(false), () -> null, new DmaCounters());
        long[] phys = new long[N];
        SgTable sg = discontiguous(phys);

        // One IOVA of 256 KiB; __finalise_sg cuts it at the default max segment size, 64 KiB
        // (dma_get_max_seg_size without dma_parms): 4 DMA segments, back to back.
        assertEquals(4, ops.mapSg(sg, N, DmaDirection.TO_DEVICE, 0));
        long iova = sg.dmaAddress(0);
        for (int s = 0; s < 4; s++) {
            assertEquals(iova + s * 0x1_0000L, sg.dmaAddress(s));
            assertEquals(0x1_0000L, sg.dmaLength(s));
        }
        assertEquals(N, dom.maps.size(), "one __iommu_map per physically contiguous run");
        for (int i = 0; i < N; i++) {
            assertEquals(iova + (long) i * K4, dom.maps.get(i)[0]);
            assertEquals(phys[i] | 0xfc7L, leaf(dom.table.ttb(), iova + (long) i * K4), "leaf " + i);
        }
        int tables = dom.table.tableCount();

        ops.unmapSg(sg, N, DmaDirection.TO_DEVICE, 0);
        assertEquals(1, dom.syncs, "one iommu_iotlb_sync for the whole list");
        assertEquals(iova, dom.lastSyncStart);
        assertEquals(iova + (long) N * K4 - 1, dom.lastSyncEnd);
        for (int i = 0; i < N; i++) {
            assertEquals(0, leaf(dom.table.ttb(), iova + (long) i * K4), "leaf " + i + " cleared");
        }
        assertEquals(tables, dom.table.tableCount(), "empty tables stay until the domain is freed");

        // Mapped again, the same IOVA (freed to the tree, found again top-down) gets the same leaves.
        assertEquals(4, ops.mapSg(sg, N, DmaDirection.TO_DEVICE, 0));
        assertEquals(iova, sg.dmaAddress(0));
        for (int i = 0; i < N; i++) {
            assertEquals(phys[i] | 0xfc7L, leaf(dom.table.ttb(), iova + (long) i * K4), "leaf " + i + " again");
        }
        assertEquals(tables, dom.table.tableCount(), "no table was added the second time");
    }

    @Test
    void theGenericIommuSeesOneInvalidationPerUnmapSg() throws Exception {
        SimDmaDevice d = rig.device(Rig.dev("nic", 1));
        IommuDmaBinding b = rig.attach(false, d);
        long[] phys = new long[N];
        SgTable sg = discontiguous(phys);
        for (int round = 0; round < 3; round++) {
            assertEquals(4, b.ops().mapSg(sg, N, DmaDirection.TO_DEVICE, 0), "64 KiB segments of one IOVA");
            long iova = sg.dmaAddress(0);
            for (int i = 0; i < N; i++) {
                assertEquals((byte) i, (byte) Rig.read(b, d, iova + (long) i * K4), "page " + i + " reached");
            }
            long before = b.counter(BackendCounter.IOTLB_INVALIDATIONS);
            b.ops().unmapSg(sg, N, DmaDirection.TO_DEVICE, 0);
            assertEquals(before + 1, b.counter(BackendCounter.IOTLB_INVALIDATIONS), "one INV_RANGE for 64 pages");
            for (int i = 0; i < N; i++) {
                long at = iova + (long) i * K4;
                assertThrows(DmaFaultException.class, () -> Rig.read(b, d, at), "page " + i + " gone from the IOTLB");
            }
        }
        assertEquals(0, b.counter(BackendCounter.IOVA_BYTES_IN_USE));
    }
}
