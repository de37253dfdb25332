package org.iommulab.iommu.dma.internal.dma;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.iommulab.api.backend.BackendCounter;
import org.iommulab.api.backend.BackendException;
import org.iommulab.api.dma.CoherentAllocation;
import org.iommulab.api.dma.DmaAttrs;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.dma.DmaMasks;
import org.iommulab.api.iommu.IommuProt;
import org.iommulab.api.platform.DmaFaultException;
import org.iommulab.api.platform.DmaRange;
import org.iommulab.api.platform.FaultKind;
import org.iommulab.platform.internal.device.SimDmaDevice;
import org.iommulab.swiotlb.internal.pool.BouncePool;
import org.iommulab.swiotlb.internal.pool.PoolGeometry;
import org.iommulab.testkit.FakeSwiotlbPool;
import org.junit.jupiter.api.Test;

class IommuDmaOpsTest {
    private static final long K4 = 4096;
    private final Rig rig = new Rig();

    @Test
    void mapPhysKeepsTheOffsetAndMapsWholeGranules() throws Exception {
        SimDmaDevice d = rig.device(Rig.dev("nic", 1));
        IommuDmaBinding b = rig.attach(false, d);
        long buf = rig.pages(2, (byte) 0x66);
        long dma = b.ops().mapPhys(buf + 0xff0, 0x20, DmaDirection.BIDIRECTIONAL, 0);
        assertEquals(0xff0, dma & 0xfff);
        assertEquals(buf + 0xff0, b.domain().iovaToPhys(dma));
        assertEquals(buf + K4, b.domain().iovaToPhys(dma + 0x10), "the span crosses into the next granule");
        assertEquals(2 * K4, b.counter(BackendCounter.IOVA_BYTES_IN_USE));
        assertTrue(dma != 0 && (dma >>> 12) >= 1, "IOVA 0 is never used");
        b.ops().unmapPhys(dma, 0x20, DmaDirection.BIDIRECTIONAL, 0);
        assertEquals(0, b.counter(BackendCounter.IOVA_BYTES_IN_USE));
    }

    @Test
    void protectionFollowsTheDirection() throws Exception {
        SimDmaDevice d = rig.device(Rig.dev("nic", 1));
        IommuDmaBinding b = rig.attach(false, d);
        long buf = rig.pages(1, (byte) 1);
        long dma = b.ops().mapPhys(buf, K4, DmaDirection.TO_DEVICE, 0);
        assertEquals(0x0101010101010101L, Rig.read(b, d, dma));
        DmaFaultException e = assertThrows(DmaFaultException.class, () -> Rig.write(b, d, dma, 0));
        assertEquals(FaultKind.PERMISSION, e.fault().kind());
        assertEquals(IommuProt.READ | IommuProt.CACHE, IommuDmaOps.prot(DmaDirection.TO_DEVICE, true, 0));
        assertEquals(IommuProt.WRITE, IommuDmaOps.prot(DmaDirection.FROM_DEVICE, false, 0));
        assertEquals(IommuProt.READ | IommuProt.WRITE | IommuProt.PRIV,
                IommuDmaOps.prot(DmaDirection.BIDIRECTIONAL, false, DmaAttrs.PRIVILEGED));
        // A privileged mapping is out of reach of this IOMMU's unprivileged device accesses.
        long priv = b.ops().mapPhys(buf, K4, DmaDirection.BIDIRECTIONAL, DmaAttrs.PRIVILEGED);
        assertThrows(DmaFaultException.class, () -> Rig.read(b, d, priv));
    }

    @Test
    void dmaMaskBusLimitAndApertureBoundTheIova() throws Exception {
        long buf = rig.pages(1, (byte) 0);
        SimDmaDevice m32 = rig.device(Rig.dev("m32", 1).dmaMask(DmaMasks.bits(32)));
        IommuDmaBinding b32 = rig.attach(false, m32);
        long a = b32.ops().mapPhys(buf, K4, DmaDirection.TO_DEVICE, 0);
        assertEquals(DmaMasks.bits(32) & -K4, a, "top-down from the limit");
        SimDmaDevice m36 = rig.device(Rig.dev("m36", 2).dmaMask(DmaMasks.bits(36)));
        assertEquals(DmaMasks.bits(36) & -K4, rig.attach(false, m36).ops().mapPhys(buf, K4, DmaDirection.TO_DEVICE, 0));
        SimDmaDevice bus = rig.device(Rig.dev("bus", 3).busDmaLimit(DmaMasks.bits(34)));
        assertEquals(DmaMasks.bits(34) & -K4, rig.attach(false, bus).ops().mapPhys(buf, K4, DmaDirection.TO_DEVICE, 0),
                "min_not_zero(mask, bus_dma_limit)");
        SimDmaDevice wide = rig.device(Rig.dev("wide", 4));
        assertEquals(DmaMasks.bits(48) & -K4, rig.attach(false, wide).ops().mapPhys(buf, K4, DmaDirection.TO_DEVICE, 0),
                "capped at the aperture end");
        // A mask the driver changes after attach is honoured at the next mapping.
        m32.setDmaMask(DmaMasks.bits(30));
        assertEquals(DmaMasks.bits(30) & -K4, b32.ops().mapPhys(buf, K4, DmaDirection.TO_DEVICE, 0));
    }

    @Test
    void pciDevicesTryBelowFourGigabytesFirst() throws Exception {
        SimDmaDevice d = rig.device(Rig.dev("nvme", 1).pci(true));
        IommuDmaBinding b = rig.attach(false, d);
        // A 2 GiB MMIO window (1 GiB blocks, cheap to map) fits below 4 GiB, naturally aligned.
        long w1 = b.ops().mapResource(0x40_0000_0000L, 1L << 31, DmaDirection.BIDIRECTIONAL, 0);
        assertEquals(1L << 31, w1);
        long small = b.ops().mapPhys(rig.pages(1, (byte) 0), K4, DmaDirection.TO_DEVICE, 0);
        assertEquals((1L << 31) - K4, small, "still 32-bit first");
        // The second window no longer fits below 4 GiB (IOVA 0 is never used).
        long w2 = b.ops().mapResource(0x40_8000_0000L, 1L << 31, DmaDirection.BIDIRECTIONAL, 0);
        assertTrue(w2 >= (1L << 32));
        assertTrue(d.warnings().stream().anyMatch(w -> w.endsWith("Using 48-bit DMA addresses")), d.warnings().toString());
        long after = b.ops().mapPhys(rig.pages(1, (byte) 0), K4, DmaDirection.TO_DEVICE, 0);
        assertTrue(after >= (1L << 32), "the first miss disables the 32-bit attempt for good");
        assertEquals(1, d.warnings().stream().filter(w -> w.contains("-bit DMA addresses")).count());
        assertEquals(0x40_0000_0000L, b.domain().iovaToPhys(w1));
        assertEquals(IommuProt.MMIO, IommuProt.MMIO & mmioProt());
    }

    private static int mmioProt() {
        return IommuDmaOps.prot(DmaDirection.BIDIRECTIONAL, false, DmaAttrs.MMIO);
    }

    @Test
    void forcedacSkipsTheThirtyTwoBitAttempt() throws Exception {
        SimDmaDevice d = rig.device(Rig.dev("nvme", 1).pci(true));
        IommuDmaSettings s = rig.settings(false);
        IommuDmaSettings forced = new IommuDmaSettings(false, s.fqSize, s.fqTimeoutNanos, 1, () -> 0, true, s.clock);
        IommuDmaBinding b = (IommuDmaBinding) new IommuDmaBackend(rig.driver, forced, () -> null).attach(d);
        assertTrue(b.ops().mapPhys(rig.pages(1, (byte) 0), K4, DmaDirection.TO_DEVICE, 0) > (1L << 32));
    }

    @Test
    void minAlignMaskBeyondTheGranuleIsRefused() throws Exception {
        SimDmaDevice d = rig.device(Rig.dev("nvme", 1).minAlignMask(0x1fff));
        IommuDmaBinding b = rig.attach(false, d);
        assertEquals(DmaMasks.MAPPING_ERROR, b.ops().mapPhys(rig.pages(1, (byte) 0), K4, DmaDirection.TO_DEVICE, 0));
        assertTrue(d.warnings().get(0).endsWith("Unsupported alignment constraint"));
        assertEquals(0, b.counter(BackendCounter.IOVA_BYTES_IN_USE));
    }

    @Test
    void coherentBuffersAreZeroedMappedAndFreed() throws Exception {
        SimDmaDevice d = rig.device(Rig.dev("nic", 1));
        IommuDmaBinding b = rig.attach(false, d);
        d.setCoherentDmaMask(DmaMasks.bits(32));
        long dirty = rig.pages(4, (byte) 0xee);
        rig.alloc.free(dirty);
        long bytes = rig.alloc.allocatedBytes();
        CoherentAllocation c = b.ops().allocCoherent(3 * K4 + 5, 0);
        assertNotNull(c);
        for (long off = 0; off < 4 * K4; off += 8) {
            assertEquals(0, rig.mem.readLong(c.cpuAddress() + off));
        }
        Rig.write(b, d, c.dmaHandle() + 3 * K4, 0x77);
        assertEquals(0x77, rig.mem.readLong(c.cpuAddress() + 3 * K4));
        assertTrue(c.dmaHandle() <= DmaMasks.bits(32), "below the coherent mask, not the 64-bit streaming mask");
        b.ops().freeCoherent(c);
        assertThrows(DmaFaultException.class, () -> Rig.read(b, d, c.dmaHandle()));
        // The four pages come back; the tables the mapping needed stay linked, empty, as
        // io-pgtable-arm keeps them until the domain is freed: the IOVA is below 4 GiB in a
        // 48-bit, 4K-granule table (start level 0), so levels 1, 2 and 3: three pages.
        assertEquals(bytes + 3 * K4, rig.alloc.allocatedBytes(), "pages returned, emptied tables kept");
    }

    @Test
    void untrustedUnalignedBuffersBounceWithZeroedPadding() throws Exception {
        long poolBase = rig.pages(64, (byte) 0xcc);
        FakeSwiotlbPool pool = new FakeSwiotlbPool(rig.mem, poolBase, 64 * K4);
        rig.pool = pool;
        // An NVMe-like device whose min_align_mask makes swiotlb keep the low 12 bits.
        SimDmaDevice d = rig.device(Rig.dev("thunderbolt", 1).trusted(false).minAlignMask(0xfff));
        IommuDmaBinding b = rig.attach(false, d);
        long buf = rig.pages(1, (byte) 0x5a);
        long dma = b.ops().mapPhys(buf + 0x100, 0x40, DmaDirection.FROM_DEVICE, 0);
        long bounce = b.domain().iovaToPhys(dma);
        assertTrue(pool.isBounce(bounce), "mapped through the pool");
        assertEquals(0x100, dma & 0xfff, "min_align_mask bits preserved");
        assertEquals(0x5a5a5a5a5a5a5a5aL, Rig.read(b, d, dma), "map copies the original in");
        assertEquals(0, Rig.read(b, d, dma - 0x100), "pre-padding zeroed");
        assertEquals(0, Rig.read(b, d, dma + 0x40), "post-padding zeroed");
        Rig.write(b, d, dma, 0x1234);
        b.ops().unmapPhys(dma, 0x40, DmaDirection.FROM_DEVICE, 0);
        assertEquals(0x1234, rig.mem.readLong(buf + 0x100), "unmap copies back");
        assertEquals(1, b.counter(BackendCounter.BOUNCED_MAPPINGS));
        assertEquals(0x40, b.counter(BackendCounter.BOUNCED_BYTES_TO_DEVICE));
        assertEquals(0x40, b.counter(BackendCounter.BOUNCED_BYTES_FROM_DEVICE));
        assertEquals(0, pool.liveCount());
        // An aligned buffer is mapped in place.
        long aligned = b.ops().mapPhys(buf, K4, DmaDirection.TO_DEVICE, 0);
        assertEquals(buf, b.domain().iovaToPhys(aligned));
        assertEquals(1, b.counter(BackendCounter.BOUNCED_MAPPINGS));
        assertEquals(pool.maxMappingSize(d), b.ops().maxMappingSize());
    }

    @Test
    void aBounceUndoneBecauseTheIommuMappingFailedIsNotCounted() throws Exception {
        long poolBase = rig.pages(64, (byte) 0);
        FakeSwiotlbPool pool = new FakeSwiotlbPool(rig.mem, poolBase, 64 * K4);
        rig.pool = pool;
        // A 12-bit mask leaves no IOVA at all (IOVA 0 is never used): the IOMMU mapping fails after the bounce.
        SimDmaDevice d = rig.device(Rig.dev("thunderbolt", 1).trusted(false).dmaMask(DmaMasks.bits(12)));
        IommuDmaBinding b = rig.attach(false, d);
        long buf = rig.pages(1, (byte) 0x5a);
        assertEquals(DmaMasks.MAPPING_ERROR, b.ops().mapPhys(buf + 0x100, 0x40, DmaDirection.TO_DEVICE, 0));
        assertEquals(0, pool.liveCount(), "the bounce buffer was given back");
        assertEquals(0, b.counter(BackendCounter.BOUNCED_MAPPINGS));
        assertEquals(0, b.counter(BackendCounter.BOUNCED_BYTES_TO_DEVICE), "only bounces that happened are counted");
    }

    @Test
    void aMappingLargerThanTheApertureIsRefusedBeforeTheIovaSpaceAndTheTables() throws Exception {
        Rig small = new Rig(32);
        SimDmaDevice d = small.device(Rig.dev("nic", 1));
        IommuDmaBinding b = small.attach(false, d);
        long buf = small.pages(1, (byte) 0);
        long tables = small.alloc.allocatedBytes();

        assertEquals(DmaMasks.MAPPING_ERROR, b.ops().mapPhys(buf, (1L << 32) + K4, DmaDirection.TO_DEVICE, 0));
        assertEquals(DmaMasks.MAPPING_ERROR, b.ops().mapResource(buf, 1L << 33, DmaDirection.TO_DEVICE, 0));
        org.iommulab.api.dma.SgTable sg = new org.iommulab.api.dma.SgTable(3);
        for (int i = 0; i < 3; i++) {
            sg.add(buf, 0x7fff_f000);
        }
        assertEquals(org.iommulab.api.dma.DmaErrno.EINVAL, b.ops().mapSg(sg, 3, DmaDirection.TO_DEVICE, 0));

        assertTrue(d.warnings().stream().allMatch(w -> w.contains("does not fit the domain's aperture [0x0-0xffffffff]")),
                d.warnings().toString());
        assertEquals(3, d.warnings().size());
        assertEquals(0, b.counter(BackendCounter.IOVA_BYTES_IN_USE), "no IOVA was taken");
        assertEquals(0, b.counter(BackendCounter.IOVA_BYTES_PEAK), "not even for a moment");
        assertEquals(tables, small.alloc.allocatedBytes(), "no table page was allocated");
        assertEquals(0, sg.nents());
        // A mapping that fits still maps.
        long dma = b.ops().mapPhys(buf, K4, DmaDirection.TO_DEVICE, 0);
        assertEquals(buf, b.domain().iovaToPhys(dma));
    }

    /** The same path through the swiotlb-bounce bundle's own pool implementation. */
    @Test
    void theRealSwiotlbPoolServesUntrustedDevices() throws Exception {
        BouncePool real = new BouncePool(rig.mem, rig.alloc, PoolGeometry.of(1 << 20, 1));
        rig.pool = real;
        SimDmaDevice d = rig.device(Rig.dev("thunderbolt", 1).trusted(false));
        IommuDmaBinding b = rig.attach(false, d);
        long buf = rig.pages(1, (byte) 0x3c);
        long dma = b.ops().mapPhys(buf + 0x230, 0x100, DmaDirection.BIDIRECTIONAL, 0);
        assertTrue(real.isBounce(b.domain().iovaToPhys(dma)));
        assertEquals(0, dma & 0xfff, "no min_align_mask: the bounce buffer starts its granule");
        assertEquals(0x3c3c3c3c3c3c3c3cL, Rig.read(b, d, dma));
        assertEquals(0, Rig.read(b, d, dma + 0x100), "padding zeroed");
        assertEquals(0, Rig.read(b, d, dma + 0xff8), "padding zeroed to the end of the granule");
        Rig.write(b, d, dma + 0x10, 0x99);
        b.ops().syncSingleForCpu(dma, 0x100, DmaDirection.BIDIRECTIONAL);
        assertEquals(1, b.counter(BackendCounter.BOUNCED_MAPPINGS));
        assertEquals(0x99, rig.mem.readLong(buf + 0x240));
        b.ops().unmapPhys(dma, 0x100, DmaDirection.BIDIRECTIONAL, 0);
        assertEquals(0, real.stats().liveMappings());
        assertEquals(0, b.counter(BackendCounter.IOVA_BYTES_IN_USE));
    }

    /**
     * The pool's service goes while an untrusted device holds a bounce buffer, and a new pool
     * comes (swiotlb-bounce stopped and started, as the soak does): the buffer's unmap goes to
     * the pool that made it, so the device's bytes reach the driver's buffer, and that pool's
     * pages go back only then. Before, the unmap asked the new service, which did not know the
     * buffer: no copy back (the NIC's frames failed their CRC) and the device stayed mapped
     * onto freed pages.
     */
    @Test
    void aBounceBufferOutlivesItsPoolsServiceAndUnmapsThroughThatPool() throws Exception {
        BouncePool old = new BouncePool(rig.mem, rig.alloc, PoolGeometry.of(1 << 20, 1));
        rig.pool = old;
        SimDmaDevice d = rig.device(Rig.dev("thunderbolt", 1).trusted(false));
        IommuDmaBinding b = rig.attach(false, d);
        long buf = rig.pages(1, (byte) 0);
        long dma = b.ops().mapPhys(buf + 0x100, 0x200, DmaDirection.FROM_DEVICE, 0);
        long bounce = b.domain().iovaToPhys(dma);
        assertTrue(old.isBounce(bounce));

        rig.pool = null; // the service goes: the component closes its pool
        old.close();
        assertEquals(DmaMasks.MAPPING_ERROR, b.ops().mapPhys(buf + 0x800, 0x10, DmaDirection.TO_DEVICE, 0),
                "no pool service: a new bounce is refused");
        BouncePool next = new BouncePool(rig.mem, rig.alloc, PoolGeometry.of(1 << 20, 1));
        rig.pool = next; // and a new one comes
        assertTrue(rig.alloc.isAllocated(bounce), "the old pool's pages stay while its buffer lives");

        Rig.write(b, d, dma + 0x10, 0x5eed_f00dL);
        b.ops().syncSingleForCpu(dma, 0x200, DmaDirection.FROM_DEVICE);
        assertEquals(0x5eed_f00dL, rig.mem.readLong(buf + 0x110), "sync for the CPU copies back from the old pool");
        Rig.write(b, d, dma + 0x20, 0x0dd_ba11L);
        b.ops().unmapPhys(dma, 0x200, DmaDirection.FROM_DEVICE, 0);
        assertEquals(0x0dd_ba11L, rig.mem.readLong(buf + 0x120), "unmap copies back from the old pool");
        assertTrue(old.isFreed(), "the old pool's pages went back with its last buffer");
        assertEquals(0, next.stats().liveMappings(), "the new pool was never asked about the old buffer");

        long again = b.ops().mapPhys(buf + 0x100, 0x200, DmaDirection.FROM_DEVICE, 0);
        assertTrue(next.isBounce(b.domain().iovaToPhys(again)), "new bounces come from the new pool");
        b.detach();
        assertEquals(0, next.stats().liveMappings(), "detach releases what is left, in the pool that holds it");
    }

    @Test
    void untrustedUnalignedWithoutAPoolFailsWithAWarning() throws Exception {
        SimDmaDevice d = rig.device(Rig.dev("thunderbolt", 1).trusted(false));
        IommuDmaBinding b = rig.attach(false, d);
        long buf = rig.pages(1, (byte) 0);
        assertEquals(DmaMasks.MAPPING_ERROR, b.ops().mapPhys(buf + 8, 16, DmaDirection.TO_DEVICE, 0));
        assertEquals(1, d.warnings().size());
        assertTrue(d.warnings().get(0).contains("no swiotlb pool service"), d.warnings().get(0));
        assertEquals(0, b.counter(BackendCounter.IOVA_BYTES_IN_USE));
        assertEquals(256 * 1024, b.ops().maxMappingSize());
    }

    @Test
    void unmapOfAnUnmappedAddressWarnsAndChangesNothing() throws Exception {
        SimDmaDevice d = rig.device(Rig.dev("nic", 1));
        IommuDmaBinding b = rig.attach(false, d);
        long dma = b.ops().mapPhys(rig.pages(1, (byte) 0), K4, DmaDirection.TO_DEVICE, 0);
        b.ops().unmapPhys(dma + (1L << 20), K4, DmaDirection.TO_DEVICE, 0);
        assertEquals(1, d.warnings().size());
        assertEquals(K4, b.counter(BackendCounter.IOVA_BYTES_IN_USE));
        assertNotEquals(0, b.domain().iovaToPhys(dma));
    }

    @Test
    void badSingleMappingInputIsRefused() throws Exception {
        IommuDmaBinding b = rig.attach(false, rig.device(Rig.dev("nic", 1)));
        assertThrows(IllegalArgumentException.class, () -> b.ops().mapPhys(0x4000_0000L, 0, DmaDirection.TO_DEVICE, 0));
        assertThrows(IllegalArgumentException.class, () -> b.ops().mapPhys(0x4000_0000L, 8, DmaDirection.NONE, 0));
        assertThrows(IllegalArgumentException.class, () -> b.ops().allocCoherent(0, 0));
        assertEquals(0, b.dmaOps().iovaDomain().rangeCount());
    }

    @Test
    void limitsFollowIommuDma() throws Exception {
        IommuDmaBinding b = rig.attach(false, rig.device(Rig.dev("nic", 1)));
        assertTrue(b.ops().dmaSupported(DmaMasks.bits(24)));
        assertEquals(DmaMasks.bits(32), b.ops().requiredMask());
        assertEquals(Long.MAX_VALUE, b.ops().maxMappingSize());
        assertEquals(128 * 1024, b.ops().optMappingSize(), "iova_rcache_range(): 32 granules");
    }

    @Test
    void iotlbCountersComeFromTheDomain() throws Exception {
        SimDmaDevice d = rig.device(Rig.dev("nic", 1));
        IommuDmaBinding b = rig.attach(false, d);
        long dma = b.ops().mapPhys(rig.pages(1, (byte) 0), K4, DmaDirection.TO_DEVICE, 0);
        Rig.read(b, d, dma);
        Rig.read(b, d, dma + 8);
        Rig.read(b, d, dma + 16);
        assertEquals(1, b.counter(BackendCounter.IOTLB_MISSES));
        assertEquals(2, b.counter(BackendCounter.IOTLB_HITS));
    }

    @Test
    void dmaRangesOutsideTheApertureAreRefused() {
        Rig small = new Rig(32);
        SimDmaDevice d = small.device(Rig.dev("far", 1).dmaRange(new DmaRange(0x4000_0000L, 0x10_0000_0000L, 1L << 30)));
        BackendException e = assertThrows(BackendException.class, () -> small.attach(false, d));
        assertTrue(e.getMessage().contains("specified DMA range outside IOMMU capability"));
    }

    @Test
    void aSmallApertureCapsEveryMask() throws Exception {
        Rig small = new Rig(32);
        SimDmaDevice d = small.device(Rig.dev("nic", 1));
        IommuDmaBinding b = small.attach(false, d);
        long dma = b.ops().mapPhys(small.pages(1, (byte) 0), K4, DmaDirection.TO_DEVICE, 0);
        assertEquals(DmaMasks.bits(32) & -K4, dma);
    }
}
