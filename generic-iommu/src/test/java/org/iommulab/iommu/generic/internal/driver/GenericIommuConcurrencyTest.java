package org.iommulab.iommu.generic.internal.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.iommulab.api.backend.TranslationPort;
import org.iommulab.api.dma.DmaMasks;
import org.iommulab.api.iommu.DomainType;
import org.iommulab.api.iommu.IommuProt;
import org.iommulab.api.iommu.IotlbGather;
import org.iommulab.api.platform.AccessType;
import org.iommulab.api.platform.DeviceDescriptor;
import org.iommulab.api.platform.DmaFaultException;
import org.iommulab.api.platform.Zone;
import org.iommulab.iommu.generic.internal.model.GenericIommuModel;
import org.iommulab.platform.internal.device.SimDmaDevice;
import org.iommulab.platform.internal.memory.SparsePhysicalMemory;
import org.iommulab.platform.internal.memory.ZonedPageAllocator;
import org.junit.jupiter.api.Test;

/**
 * The generic IOMMU driver used by several devices at once, as iommu-dma uses it: each domain
 * maps, lets its device translate (the IOTLB caches the leaf), unmaps and invalidates, on a
 * thread of its own. The driver programs a range invalidation as three register writes
 * (CMD_ADDR, CMD_SIZE, then CMD); two domains doing so at once must not mix them, or one
 * domain's invalidation covers the other's range and its own IOTLB entry survives the unmap: a
 * stale translation to a page its owner freed, which the next owner (a page table, say) finds
 * overwritten by the device's DMA. Without the driver's register lock the mix-up shows within a
 * few hundred rounds on two cores (rounds 22 to 261 of 5,000 when this test was written); the
 * rounds bound the test's time, the join bound only guards against a hang.
 */
class GenericIommuConcurrencyTest {
    private static final long K4 = 4096;
    private static final int THREADS = 4;
    private static final int ROUNDS = 5_000;

    private final SparsePhysicalMemory mem = SparsePhysicalMemory.defaultLayout();
    private final ZonedPageAllocator alloc = new ZonedPageAllocator(mem);
    /** An IOTLB big enough never to flush itself whole when full (which would hide a stale entry). */
    private final GenericIommuModel hw = new GenericIommuModel("generic", 48, 48, 4, 256, 8, false);
    private final GenericIommuDriver driver = new GenericIommuDriver(hw);

    @Test
    void concurrentUnmapsInvalidateEachDomainsOwnRange() throws Exception {
        List<Thread> threads = new ArrayList<>();
        AtomicReference<String> stale = new AtomicReference<>();
        AtomicReference<Throwable> error = new AtomicReference<>();
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch start = new CountDownLatch(1);
        for (int t = 0; t < THREADS; t++) {
            SimDmaDevice dev = new SimDmaDevice(DeviceDescriptor.builder("dev" + t).streamIds(t + 1)
                    .dmaMask(DmaMasks.bits(64)).build(), mem, alloc);
            driver.probeDevice(dev);
            GenericDomain dom = (GenericDomain) driver.allocDomain(DomainType.DMA);
            assertEquals(0, dom.attachDevice(dev));
            TranslationPort port = driver.translationPort(dev);
            long page = alloc.allocPages(1, Zone.NORMAL);
            // Each domain its own IOVA, so that a mixed-up invalidation misses it.
            long iova = 0x1000_0000L * (t + 1);
            int sid = t + 1;
            threads.add(new Thread(() -> {
                try {
                    start.await();
                    IotlbGather gather = new IotlbGather();
                    for (int i = 0; i < ROUNDS && !stop.get(); i++) {
                        assertEquals(0, dom.map(iova, page, K4, IommuProt.READ | IommuProt.WRITE));
                        assertEquals(page, port.translate(sid, iova, AccessType.READ), "the walk finds the page");
                        assertEquals(K4, dom.unmap(iova, K4, gather.reset()));
                        dom.iotlbSync(gather);
                        try {
                            long phys = port.translate(sid, iova, AccessType.WRITE);
                            stale.compareAndSet(null, String.format("round %d: %s still translates IOVA 0x%x to 0x%x after "
                                    + "its unmap and invalidation (a stale IOTLB entry)", i, dev.name(), iova, phys));
                            stop.set(true);
                        } catch (DmaFaultException expected) {
                            // unmapped: the access faults
                        }
                    }
                } catch (Throwable e) {
                    error.compareAndSet(null, e);
                    stop.set(true);
                }
            }, "unmapper-" + t));
        }
        threads.forEach(Thread::start);
        start.countDown();
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(60));
            assertTrue(!t.isAlive(), t.getName() + " did not finish");
        }
        if (error.get() != null) {
            throw new AssertionError(error.get());
        }
        assertEquals(null, stale.get());
    }
}
