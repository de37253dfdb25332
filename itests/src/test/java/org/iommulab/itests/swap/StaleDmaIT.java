package org.iommulab.itests.swap;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import javax.inject.Inject;

import org.iommulab.api.admin.PlatformAdmin;
import org.iommulab.api.admin.Stat;
import org.iommulab.api.checker.Finding;
import org.iommulab.api.checker.FindingKind;
import org.iommulab.api.dma.DmaApi;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.dma.DmaMasks;
import org.iommulab.api.platform.AccessType;
import org.iommulab.api.platform.BusMaster;
import org.iommulab.api.platform.DeviceDescriptor;
import org.iommulab.api.platform.DmaFault;
import org.iommulab.api.platform.DmaFaultException;
import org.iommulab.api.platform.FaultKind;
import org.iommulab.api.platform.PageAllocator;
import org.iommulab.api.platform.Zone;
import org.iommulab.itests.support.Backends;
import org.iommulab.itests.support.Containers;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;

/**
 * A released driver's DMA reaches no memory, in a real Felix. A driver maps a buffer on each
 * IOMMU backend in turn and keeps the bus master its DmaApi gave it; the device is swapped to
 * {@code direct}, where the driver's old IOVA (just below 4 GiB for a 32-bit device) is plain
 * RAM. A write through the kept bus master must change no byte there or in the old buffer,
 * raise a DMA_AFTER_RELEASE fault with the device and address, and a checker finding. This is
 * what the issue measured: a run started on generic wrote to 0xfffcc000 through smmu-v3.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class StaleDmaIT {
    private static final String DEVICE = "stale0";
    private static final int PAGE = (int) PageAllocator.PAGE_SIZE;

    @Inject
    private BundleContext context;

    @Inject
    private PlatformAdmin admin;

    @Configuration
    public Option[] config() {
        return Containers.options();
    }

    @Test
    public void aReleasedDriversWriteAfterASwapToDirectReachesNoMemory() throws Exception {
        Backends.awaitBackends(admin);
        Backends backends = new Backends(context, admin);
        Map<String, Boolean> registered = backends.registered();
        assertTrue("direct is registered: " + registered, registered.containsKey("direct"));
        admin.addDevice(DeviceDescriptor.builder(DEVICE).streamIds(0x740).dmaMask(DmaMasks.bits(32)).build());
        long buffer = admin.allocator().allocPages(1, Zone.DMA32);
        List<String> iommus = new ArrayList<>();
        try {
            for (Map.Entry<String, Boolean> b : registered.entrySet()) {
                if (b.getValue()) {
                    iommus.add(b.getKey());
                    staleWriteAfterSwapToDirect(backends, b.getKey(), buffer);
                }
            }
        } finally {
            admin.removeDevice(DEVICE);
            admin.allocator().free(buffer);
        }
        assertFalse("no IOMMU backend is registered: " + registered, iommus.isEmpty());
    }

    private void staleWriteAfterSwapToDirect(Backends backends, String iommu, long buffer) throws Exception {
        admin.bind(DEVICE, iommu);
        DmaApi api = backends.dmaApi(DEVICE, iommu);
        long dma = api.mapPhys(buffer, PAGE, DmaDirection.BIDIRECTIONAL, 0);
        assertFalse(iommu + ": mapping failed", api.mappingError(dma));
        BusMaster kept = api.busMaster();
        kept.writeLong(dma, 0x1111_2222_3333_4444L);
        assertEquals(iommu + ": the driver's DMA works while it is bound", 0x1111_2222_3333_4444L,
                admin.memory().readLong(buffer));
        assertTrue(iommu + ": the old IOVA 0x" + Long.toHexString(dma) + " is plain RAM on direct",
                admin.memory().isRam(dma, PAGE));
        byte[] atIova = new byte[PAGE];
        byte[] atBuffer = new byte[PAGE];

        admin.bind(DEVICE, "direct");
        admin.memory().read(dma, atIova, 0, PAGE);
        admin.memory().read(buffer, atBuffer, 0, PAGE);
        long refusedBefore = refused(iommu);
        int findingsBefore = admin.findings().size();

        byte[] junk = new byte[PAGE];
        java.util.Arrays.fill(junk, (byte) 0xee);
        DmaFault f = null;
        try {
            kept.write(dma, junk, 0, PAGE);
            fail(iommu + ": the released driver's write went through");
        } catch (DmaFaultException e) {
            f = e.fault();
        }

        assertArrayEquals(iommu + ": RAM at the old IOVA changed", atIova, read(dma));
        assertArrayEquals(iommu + ": the old buffer changed", atBuffer, read(buffer));
        assertEquals(FaultKind.DMA_AFTER_RELEASE, f.kind());
        assertEquals(DEVICE, f.device());
        assertEquals(dma, f.address());
        assertEquals(AccessType.WRITE, f.access());
        assertEquals(iommu, f.backend());
        assertTrue(iommu + ": the fault is recorded", admin.faults().contains(f));
        assertEquals(refusedBefore + 1, refused(iommu));
        List<Finding> findings = admin.findings();
        assertTrue(iommu + ": no checker finding in " + findings, findings.subList(findingsBefore, findings.size()).stream()
                .anyMatch(x -> x.kind() == FindingKind.DMA_AFTER_RELEASE && x.device().equals(DEVICE) && x.dmaAddress() == dma
                        && x.message().contains("device DMA after driver release")));
        // The driver bound now has its own bus master, which works.
        DmaApi now = backends.dmaApi(DEVICE, "direct");
        long fresh = now.mapPhys(buffer, PAGE, DmaDirection.BIDIRECTIONAL, 0);
        now.busMaster().writeLong(fresh, 0x5555L);
        assertEquals(0x5555L, admin.memory().readLong(buffer));
        now.unmapPhys(fresh, PAGE, DmaDirection.BIDIRECTIONAL, 0);
    }

    private long refused(String backend) {
        return admin.allStats().stream().filter(s -> s.device().equals(DEVICE) && s.backend().equals(backend))
                .mapToLong(s -> s.get(Stat.STALE_DMA_REFUSED)).sum();
    }

    private byte[] read(long phys) {
        byte[] b = new byte[PAGE];
        admin.memory().read(phys, b, 0, PAGE);
        return b;
    }

    private static void assertArrayEquals(String message, byte[] expected, byte[] actual) {
        org.junit.Assert.assertArrayEquals(message, expected, actual);
    }
}
