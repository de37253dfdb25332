package org.iommulab.iommu.dma.internal.dma;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.iommulab.api.backend.BackendCounter;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.platform.DmaFaultException;
import org.iommulab.api.platform.FaultKind;
import org.iommulab.platform.internal.device.SimDmaDevice;
import org.junit.jupiter.api.Test;

/**
 * Strict and lazy invalidation differ observably: under lazy mode the device still reaches an
 * unmapped page through its stale IOTLB entry until the flush queue is flushed, and the backend
 * counts those accesses; in strict mode the access faults at once.
 */
class StrictLazyTest {
    private static final long MS = 1_000_000L;
    private final Rig rig = new Rig();

    @Test
    void strictUnmapFaultsAtOnce() throws Exception {
        SimDmaDevice d = rig.device(Rig.dev("nic", 1));
        IommuDmaBinding b = rig.attach(false, d);
        assertFalse(b.lazy());
        long buf = rig.pages(1, (byte) 0x11);
        long dma = b.ops().mapPhys(buf, 4096, DmaDirection.BIDIRECTIONAL, 0);
        assertEquals(0x1111111111111111L, Rig.read(b, d, dma));
        b.ops().unmapPhys(dma, 4096, DmaDirection.BIDIRECTIONAL, 0);
        DmaFaultException e = assertThrows(DmaFaultException.class, () -> Rig.read(b, d, dma));
        assertEquals(FaultKind.TRANSLATION, e.fault().kind());
        assertEquals(1, d.faults().size(), "reported once");
        assertEquals(0, b.counter(BackendCounter.STALE_TRANSLATIONS));
        assertEquals(0, b.counter(BackendCounter.IOVA_BYTES_IN_USE));
        assertEquals(4096, b.counter(BackendCounter.IOVA_BYTES_PEAK));
        assertTrue(b.counter(BackendCounter.IOTLB_INVALIDATIONS) >= 1);
    }

    @Test
    void lazyUnmapLeavesAWindowUntilTheFlush() throws Exception {
        SimDmaDevice d = rig.device(Rig.dev("nic", 1));
        IommuDmaBinding b = rig.attach(true, d);
        assertTrue(b.lazy());
        long buf = rig.pages(1, (byte) 0x22);
        long dma = b.ops().mapPhys(buf, 4096, DmaDirection.BIDIRECTIONAL, 0);
        assertEquals(0x2222222222222222L, Rig.read(b, d, dma)); // the walk fills the IOTLB
        long invalidations = b.counter(BackendCounter.IOTLB_INVALIDATIONS);
        b.ops().unmapPhys(dma, 4096, DmaDirection.BIDIRECTIONAL, 0);
        assertEquals(0, b.domain().iovaToPhys(dma), "the page table no longer maps it");
        assertEquals(invalidations, b.counter(BackendCounter.IOTLB_INVALIDATIONS), "no invalidation yet");

        // The window: the device still reads (and writes) the page the driver gave back.
        assertEquals(0x2222222222222222L, Rig.read(b, d, dma));
        Rig.write(b, d, dma + 8, 0x5eL);
        assertEquals(0x5eL, rig.mem.readLong(buf + 8));
        assertEquals(2, b.counter(BackendCounter.STALE_TRANSLATIONS));
        assertEquals(4096, b.counter(BackendCounter.IOVA_BYTES_IN_USE), "the IOVA waits for the flush");
        assertEquals(0, d.faults().size());

        rig.now[0] += 9 * MS;
        assertEquals(0x2222222222222222L, Rig.read(b, d, dma), "9 ms: still open");
        rig.now[0] += 1 * MS;
        DmaFaultException e = assertThrows(DmaFaultException.class, () -> Rig.read(b, d, dma));
        assertEquals(FaultKind.TRANSLATION, e.fault().kind());
        assertEquals(3, b.counter(BackendCounter.STALE_TRANSLATIONS));
        assertEquals(0, b.counter(BackendCounter.IOVA_BYTES_IN_USE), "released after the flush");
        assertEquals(invalidations + 1, b.counter(BackendCounter.IOTLB_INVALIDATIONS), "one flush_iotlb_all");
    }

    @Test
    void lazyWindowNeedsAStaleEntry() throws Exception {
        SimDmaDevice d = rig.device(Rig.dev("nic", 1));
        IommuDmaBinding b = rig.attach(true, d);
        long buf = rig.pages(1, (byte) 0x33);
        long dma = b.ops().mapPhys(buf, 4096, DmaDirection.TO_DEVICE, 0);
        b.ops().unmapPhys(dma, 4096, DmaDirection.TO_DEVICE, 0);
        assertThrows(DmaFaultException.class, () -> Rig.read(b, d, dma), "never cached: the walk finds nothing");
        assertEquals(0, b.counter(BackendCounter.STALE_TRANSLATIONS));
    }

    @Test
    void queuedIovaIsNotReusedBeforeTheFlush() throws Exception {
        SimDmaDevice d = rig.device(Rig.dev("nic", 1));
        IommuDmaBinding b = rig.attach(true, d);
        long buf = rig.pages(1, (byte) 0);
        long first = b.ops().mapPhys(buf, 4096, DmaDirection.TO_DEVICE, 0);
        b.ops().unmapPhys(first, 4096, DmaDirection.TO_DEVICE, 0);
        long second = b.ops().mapPhys(buf, 4096, DmaDirection.TO_DEVICE, 0);
        assertNotEquals(first, second);
        b.ops().unmapPhys(second, 4096, DmaDirection.TO_DEVICE, 0);
        rig.now[0] += 10 * MS;
        long third = b.ops().mapPhys(buf, 4096, DmaDirection.TO_DEVICE, 0);
        assertTrue(third == first || third == second, "after the flush the rcache hands a freed IOVA back");
    }

    @Test
    void aFullRingFlushesAtOnce() throws Exception {
        SimDmaDevice d = rig.device(Rig.dev("nic", 1));
        IommuDmaBinding b = rig.attach(true, d);
        FlushQueue fq = b.dmaOps().flushQueue();
        long buf = rig.pages(1, (byte) 0);
        for (int i = 0; i < FlushQueue.DEFAULT_SIZE - 1; i++) {
            long dma = b.ops().mapPhys(buf, 4096, DmaDirection.TO_DEVICE, 0);
            b.ops().unmapPhys(dma, 4096, DmaDirection.TO_DEVICE, 0);
        }
        assertEquals(255, fq.pendingEntries(), "a 256-slot ring holds 255");
        assertEquals(0, fq.flushes());
        long dma = b.ops().mapPhys(buf, 4096, DmaDirection.TO_DEVICE, 0);
        b.ops().unmapPhys(dma, 4096, DmaDirection.TO_DEVICE, 0);
        assertEquals(1, fq.flushes());
        assertEquals(1, fq.pendingEntries());
        assertEquals(4096, b.counter(BackendCounter.IOVA_BYTES_IN_USE));
    }

    @Test
    void lazyNeedsDeferredFlushAndATrustedDevice() throws Exception {
        SimDmaDevice untrusted = rig.device(Rig.dev("usb4", 2).trusted(false));
        assertFalse(rig.attach(true, untrusted).lazy());
        SimDmaDevice trusted = rig.device(Rig.dev("nic", 3));
        assertTrue(rig.attach(true, trusted).lazy());
    }

    @Test
    void detachFlushesTheQueueAndFaultsEverything() throws Exception {
        SimDmaDevice d = rig.device(Rig.dev("nic", 1));
        IommuDmaBinding b = rig.attach(true, d);
        long buf = rig.pages(1, (byte) 0x44);
        long dma = b.ops().mapPhys(buf, 4096, DmaDirection.TO_DEVICE, 0);
        Rig.read(b, d, dma);
        b.ops().unmapPhys(dma, 4096, DmaDirection.TO_DEVICE, 0);
        long before = rig.alloc.allocatedBytes();
        b.detach();
        b.detach();
        assertEquals(0, b.counter(BackendCounter.IOVA_BYTES_IN_USE));
        DmaFaultException e = assertThrows(DmaFaultException.class, () -> Rig.read(b, d, dma));
        assertEquals(FaultKind.STREAM_DISABLED, e.fault().kind());
        assertTrue(rig.alloc.allocatedBytes() < before, "the domain's tables were freed");
    }
}
