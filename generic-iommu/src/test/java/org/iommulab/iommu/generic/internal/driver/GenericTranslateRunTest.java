package org.iommulab.iommu.generic.internal.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.iommulab.api.backend.BackendCounter;
import org.iommulab.api.backend.BackendException;
import org.iommulab.api.backend.TranslationPort;
import org.iommulab.api.dma.DmaMasks;
import org.iommulab.api.iommu.DomainType;
import org.iommulab.api.iommu.IommuProt;
import org.iommulab.api.platform.AccessType;
import org.iommulab.api.platform.DeviceDescriptor;
import org.iommulab.api.platform.DmaFaultException;
import org.iommulab.api.platform.FaultKind;
import org.iommulab.api.platform.Zone;
import org.iommulab.iommu.generic.internal.model.GenericIommuModel;
import org.iommulab.platform.internal.device.SimDmaDevice;
import org.iommulab.platform.internal.memory.SparsePhysicalMemory;
import org.iommulab.platform.internal.memory.ZonedPageAllocator;
import org.junit.jupiter.api.Test;

/**
 * The generic IOMMU translates a run of pages under one hold of its lock, with the effects a
 * translation per page would have had: block 0 as any access, every later block only on an
 * IOTLB hit that permits the access, and a stop before the first block that would walk or fault.
 */
class GenericTranslateRunTest {
    private static final long K4 = 4096;
    private static final long IOVA = 0x10_0000;

    private final SparsePhysicalMemory mem = SparsePhysicalMemory.defaultLayout();
    private final ZonedPageAllocator alloc = new ZonedPageAllocator(mem);
    private final GenericIommuModel hw = new GenericIommuModel("generic", 48, 48, 4, 16, 8, false);
    private final GenericIommuDriver driver = new GenericIommuDriver(hw);
    private final SimDmaDevice d = new SimDmaDevice(
            DeviceDescriptor.builder("nic").streamIds(1).dmaMask(DmaMasks.bits(64)).build(), mem, alloc);

    private GenericDomain attached() throws BackendException {
        driver.probeDevice(d);
        GenericDomain dom = (GenericDomain) driver.allocDomain(DomainType.DMA);
        assertEquals(0, dom.attachDevice(d));
        return dom;
    }

    /** Four pages at IOVA..IOVA+16K, each on a physical page of its own, in reverse order. */
    private long[] mapFour(GenericDomain dom, int prot1) {
        long[] phys = new long[4];
        for (int i = 0; i < 4; i++) {
            phys[i] = alloc.allocPages(1, Zone.NORMAL);
        }
        for (int i = 0; i < 4; i++) {
            assertEquals(0, dom.map(IOVA + i * K4, phys[3 - i], K4, i == 1 ? prot1 : IommuProt.READ | IommuProt.WRITE));
        }
        return new long[] {phys[3], phys[2], phys[1], phys[0]};
    }

    @Test
    void aRunStopsBeforeTheFirstMissAndCountsWhatPageByPageWouldHave() throws Exception {
        GenericDomain dom = attached();
        long[] phys = mapFour(dom, IommuProt.READ | IommuProt.WRITE);
        TranslationPort port = driver.translationPort(d);
        // Pages 0, 1 and 3 cached (three walks); page 2 is not.
        for (int i : new int[] {0, 1, 3}) {
            port.translate(1, IOVA + i * K4, AccessType.READ);
        }
        assertEquals(3, dom.counter(BackendCounter.IOTLB_MISSES));
        long[] frames = new long[4];
        // From 0x10 into page 0: pages 0 and 1 hit, page 2 would walk, so the run stops there.
        assertEquals(2, port.translateRun(1, IOVA + 0x10, AccessType.READ, frames, 4));
        assertEquals(phys[0] + 0x10, frames[0]);
        assertEquals(phys[1], frames[1]);
        assertEquals(2, dom.counter(BackendCounter.IOTLB_HITS));
        assertEquals(3, dom.counter(BackendCounter.IOTLB_MISSES), "page 2 only looked at, not counted");
        // The caller goes on at page 2: it walks (a miss) as block 0, then page 3 hits.
        assertEquals(2, port.translateRun(1, IOVA + 2 * K4, AccessType.READ, frames, 2));
        assertEquals(phys[2], frames[0]);
        assertEquals(phys[3], frames[1]);
        // Page by page the same four accesses: hit, hit, miss, hit.
        assertEquals(3, dom.counter(BackendCounter.IOTLB_HITS));
        assertEquals(4, dom.counter(BackendCounter.IOTLB_MISSES));
    }

    @Test
    void aRunStopsBeforeABlockItWouldDenyAndThatBlockFaultsOnItsOwn() throws Exception {
        GenericDomain dom = attached();
        long[] phys = mapFour(dom, IommuProt.READ); // page 1 is read-only
        TranslationPort port = driver.translationPort(d);
        for (int i = 0; i < 4; i++) {
            port.translate(1, IOVA + i * K4, AccessType.READ);
        }
        long[] frames = new long[4];
        assertEquals(1, port.translateRun(1, IOVA, AccessType.WRITE, frames, 4));
        assertEquals(phys[0], frames[0]);
        assertEquals(0, hw.faultLog().size(), "the run reports nothing for the block it left");
        DmaFaultException e = assertThrows(DmaFaultException.class,
                () -> port.translateRun(1, IOVA + K4, AccessType.WRITE, frames, 3));
        assertEquals(FaultKind.PERMISSION, e.fault().kind());
        assertEquals(1, hw.faultLog().size(), "block 0 faults as translate() does, once");
        assertEquals(1, d.faults().size());
    }

    @Test
    void badRunArgumentsAreRefusedAndCountNothing() throws Exception {
        GenericDomain dom = attached();
        mapFour(dom, IommuProt.READ | IommuProt.WRITE);
        TranslationPort port = driver.translationPort(d);
        assertThrows(IllegalArgumentException.class, () -> port.translateRun(1, IOVA, AccessType.READ, new long[4], 0));
        assertThrows(IllegalArgumentException.class, () -> port.translateRun(1, IOVA, AccessType.READ, new long[1], 2));
        assertThrows(IllegalArgumentException.class, () -> port.translateRun(1, IOVA, AccessType.READ, null, 1));
        assertEquals(0, dom.counter(BackendCounter.IOTLB_HITS));
        assertEquals(0, dom.counter(BackendCounter.IOTLB_MISSES));
    }
}
