package org.iommulab.itests.conformance;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.Random;

import javax.inject.Inject;

import org.iommulab.api.admin.PlatformAdmin;
import org.iommulab.api.admin.Stat;
import org.iommulab.api.dma.CoherentAllocation;
import org.iommulab.api.dma.DmaAttrs;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.dma.DmaErrno;
import org.iommulab.api.dma.DmaMasks;
import org.iommulab.api.dma.SgTable;
import org.iommulab.api.platform.BusMaster;
import org.iommulab.api.platform.DeviceDescriptor;
import org.iommulab.api.platform.DmaFaultException;
import org.iommulab.api.platform.PageAllocator;
import org.iommulab.api.platform.Zone;
import org.iommulab.itests.support.Backends;
import org.iommulab.itests.support.Containers;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;

/**
 * The shared conformance suite: every case runs in a real Felix against every DmaBackend
 * service registered there, whichever bundles provide them. A backend passes when a driver
 * written against the DMA API alone moves its data intact through it, and when it confines
 * the device as its isolation property claims.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class BackendConformanceIT {
    private static final String DEVICE = "conf0";
    /** Untrusted, so IOMMU backends invalidate strictly: unmap takes effect at once. */
    private static final String STRICT_DEVICE = "conf-untrusted";
    private static final int PAGE = (int) PageAllocator.PAGE_SIZE;

    @Inject
    private BundleContext context;

    @Inject
    private PlatformAdmin admin;

    private Backends backends;

    @Configuration
    public Option[] config() {
        return Containers.options();
    }

    @Before
    public void addDevices() throws InterruptedException {
        Backends.awaitBackends(admin);
        backends = new Backends(context, admin);
        if (admin.devices().stream().noneMatch(d -> d.name().equals(DEVICE))) {
            admin.addDevice(DeviceDescriptor.builder(DEVICE).streamIds(0x700).dmaMask(DmaMasks.bits(64)).build());
            admin.addDevice(DeviceDescriptor.builder(STRICT_DEVICE).streamIds(0x701).dmaMask(DmaMasks.bits(64))
                    .pci(true).trusted(false).build());
        }
    }

    @Test
    public void theStandardBackendsArePresent() {
        assertTrue("registered: " + backends.registered(), backends.registered().keySet().containsAll(
                java.util.List.of("direct", "swiotlb", "generic", "smmu-v2", "smmu-v3")));
    }

    @Test
    public void deviceReadsAndWritesThroughASingleMapping() {
        backends.forEach(DEVICE, b -> {
            long buf = alloc(3);
            try {
                int off = 0x123;
                int len = 2 * PAGE + 77;
                byte[] data = random(len, 1);
                b.api.cpu().write(buf + off, data, 0, len);
                long dma = b.api.mapPhys(buf + off, len, DmaDirection.BIDIRECTIONAL, DmaAttrs.NONE);
                assertFalse("mapping failed", b.api.mappingError(dma));
                byte[] seen = new byte[len];
                bus().read(dma, seen, 0, len);
                assertArrayEquals("device read what the CPU wrote", data, seen);
                byte[] reply = random(len, 2);
                bus().write(dma, reply, 0, len);
                b.api.unmapPhys(dma, len, DmaDirection.BIDIRECTIONAL, DmaAttrs.NONE);
                byte[] back = new byte[len];
                b.api.cpu().read(buf + off, back, 0, len);
                assertArrayEquals("CPU reads what the device wrote after unmap", reply, back);
            } finally {
                admin.allocator().free(buf);
            }
        });
    }

    @Test
    public void accessAfterUnmapFaultsExactlyOnIsolatingBackends() {
        backends.forEach(STRICT_DEVICE, b -> {
            long buf = alloc(1);
            try {
                long dma = b.api.mapPhys(buf, PAGE, DmaDirection.FROM_DEVICE, DmaAttrs.NONE);
                assertFalse(b.api.mappingError(dma));
                bus(STRICT_DEVICE).writeLong(dma, 42);
                b.api.unmapPhys(dma, PAGE, DmaDirection.FROM_DEVICE, DmaAttrs.NONE);
                long faultsBefore = admin.stats(STRICT_DEVICE).get(Stat.FAULTS);
                try {
                    bus(STRICT_DEVICE).writeLong(dma, 43);
                    if (b.isolating) {
                        fail("an isolating backend let the device write an unmapped page");
                    }
                } catch (DmaFaultException e) {
                    if (!b.isolating) {
                        fail("a non-isolating backend faulted: " + e.fault());
                    }
                    assertEquals("the fault was reported once", faultsBefore + 1,
                            admin.stats(STRICT_DEVICE).get(Stat.FAULTS));
                }
            } finally {
                admin.allocator().free(buf);
            }
        });
    }

    @Test
    public void isolatingBackendsEnforceTheDirection() {
        backends.forEach(STRICT_DEVICE, b -> {
            if (!b.isolating) {
                return;
            }
            long buf = alloc(1);
            try {
                long dma = b.api.mapPhys(buf, PAGE, DmaDirection.TO_DEVICE, DmaAttrs.NONE);
                assertFalse(b.api.mappingError(dma));
                bus(STRICT_DEVICE).readLong(dma);
                try {
                    bus(STRICT_DEVICE).writeLong(dma, 1);
                    fail("the device wrote a TO_DEVICE mapping");
                } catch (DmaFaultException expected) {
                    assertNotNull(expected.fault());
                } finally {
                    b.api.unmapPhys(dma, PAGE, DmaDirection.TO_DEVICE, DmaAttrs.NONE);
                }
            } finally {
                admin.allocator().free(buf);
            }
        });
    }

    @Test
    public void scatterlistKeepsBothViews() {
        backends.forEach(DEVICE, b -> {
            long[] pages = {alloc(1), alloc(1), alloc(1), alloc(1)};
            try {
                SgTable sg = new SgTable(4);
                byte[] data = random(4 * PAGE, 3);
                for (int i = 0; i < 4; i++) {
                    sg.add(pages[i], PAGE);
                    b.api.cpu().write(pages[i], data, i * PAGE, PAGE);
                }
                int nents = b.api.mapSg(sg, 4, DmaDirection.TO_DEVICE, DmaAttrs.NONE);
                assertTrue("1 <= nents <= 4, got " + nents, nents >= 1 && nents <= 4);
                assertEquals(nents, sg.nents());
                assertEquals(4, sg.origNents());
                assertEquals("CPU view unchanged", pages[2], sg.cpuPhys(2));
                long covered = 0;
                byte[] seen = new byte[4 * PAGE];
                for (int s = 0; s < nents; s++) {
                    bus().read(sg.dmaAddress(s), seen, (int) covered, sg.dmaLength(s));
                    covered += sg.dmaLength(s);
                }
                assertEquals(4L * PAGE, covered);
                assertArrayEquals("the DMA view carries the CPU view's bytes in order", data, seen);
                if (nents < 4) {
                    try {
                        sg.dmaAddress(nents);
                        fail("DMA segment " + nents + " of " + nents + " was readable");
                    } catch (IllegalStateException expected) {
                        assertTrue(expected.getMessage().contains("does not exist"));
                    }
                }
                b.api.unmapSg(sg, 4, DmaDirection.TO_DEVICE, DmaAttrs.NONE);
                assertEquals(0, sg.nents());
            } finally {
                for (long p : pages) {
                    admin.allocator().free(p);
                }
            }
        });
    }

    @Test
    public void coherentBufferIsZeroedAndSharedWithoutSyncs() {
        backends.forEach(DEVICE, b -> {
            CoherentAllocation buf = b.api.allocCoherent(10_000);
            assertNotNull("dma_alloc_coherent failed", buf);
            try {
                byte[] zeros = new byte[10_000];
                byte[] got = new byte[10_000];
                b.api.cpu().read(buf.cpuAddress(), got, 0, got.length);
                assertArrayEquals("coherent memory starts zeroed", zeros, got);
                bus().writeLong(buf.dmaHandle() + 8, 0x1122334455667788L);
                assertEquals(0x1122334455667788L, b.api.cpu().readLong(buf.cpuAddress() + 8));
                b.api.cpu().writeInt(buf.cpuAddress() + 100, 0xCAFE);
                assertEquals(0xCAFE, bus().readInt(buf.dmaHandle() + 100));
            } finally {
                b.api.freeCoherent(buf);
            }
        });
    }

    @Test
    public void impossibleMaskGivesAMappingError() {
        backends.forEach(DEVICE, b -> {
            long buf = alloc(1);
            try {
                int rc = b.api.setMask(DmaMasks.bits(12));
                if (rc == 0) {
                    long dma = b.api.mapPhys(buf, PAGE, DmaDirection.TO_DEVICE, DmaAttrs.NO_WARN);
                    assertTrue("a 12-bit mask was honoured with 0x" + Long.toHexString(dma), b.api.mappingError(dma));
                } else {
                    assertEquals(DmaErrno.EIO, rc);
                }
            } finally {
                assertEquals(0, b.api.setMask(DmaMasks.bits(64)));
                admin.allocator().free(buf);
            }
        });
    }

    private BusMaster bus() {
        return admin.busMaster(DEVICE);
    }

    private BusMaster bus(String device) {
        return admin.busMaster(device);
    }

    private long alloc(int pages) {
        long a = admin.allocator().allocPages(pages, Zone.NORMAL);
        assertTrue("out of memory", a != PageAllocator.NO_MEMORY);
        return a;
    }

    private static byte[] random(int len, long seed) {
        byte[] b = new byte[len];
        new Random(seed).nextBytes(b);
        return b;
    }

}
