package org.iommulab.iommu.dma.internal.dma;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.iommulab.api.backend.BackendCounter;
import org.iommulab.api.backend.ReservedRegion;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.dma.DmaMasks;
import org.iommulab.api.iommu.IommuResvRegion;
import org.iommulab.api.platform.AccessType;
import org.iommulab.iommu.generic.internal.driver.GenericIommuDriver;
import org.iommulab.iommu.generic.internal.model.GenericIommuModel;
import org.iommulab.platform.internal.device.SimDmaDevice;
import org.junit.jupiter.api.Test;

/**
 * Reserved regions and the MSI doorbell page, as Linux's dma-iommu.c treats them
 * ({@code iova_reserve_iommu_regions}, {@code iova_reserve_pci_windows},
 * {@code iommu_dma_get_msi_page}, {@code iommu_create_device_direct_mappings}). Every expected
 * IOVA is worked out from Linux's allocator: {@code alloc_iova} searches top-down from the
 * limit, a PCI device tries below 4 GiB first, a one-granule request is rounded to a power of two
 * (1 granule) and comes from the rbtree while the rcache is empty.
 */
class ReservedRegionsTest {
    private static final long K4 = 4096;
    /** QEMU virt's GICv3 ITS GITS_TRANSLATER. */
    private static final long DOORBELL = 0x08090040L;
    private final Rig rig = new Rig();

    private IommuDmaBinding attach(GenericIommuDriver driver, SimDmaDevice d) throws Exception {
        return (IommuDmaBinding) new IommuDmaBackend(driver, rig.settings(false), () -> null).attach(d);
    }

    private GenericIommuDriver driver(IommuResvRegion... regions) {
        return new GenericIommuDriver(new GenericIommuModel("generic", 48, 48, 8, 256, 64, false), List.of(regions));
    }

    @Test
    void theSoftwareMsiWindowIsNotReservedAndTheDoorbellTakesTheTopIova() throws Exception {
        // arm-smmu's SW_MSI window 0x8000000+1 MiB is skipped by iova_reserve_iommu_regions ("We
        // ARE the software that manages these!"): nothing is reserved for a platform device.
        SimDmaDevice plat = rig.device(Rig.dev("plat", 1).dmaMask(DmaMasks.bits(32)));
        IommuDmaBinding b = attach(driver(IommuResvRegion.swMsi(0x8000000L, 0x100000L)), plat);
        assertTrue(b.dmaOps().iovaDomain().ranges().isEmpty(), "no reserved range");

        // The doorbell page 0x08090000 gets iommu_dma_alloc_iova(granule, mask 32 bits): top-down
        // from pfn 0xfffff, so IOVA 0xfffff000; the MSI address keeps the doorbell's offset 0x040.
        long msi = b.ops().prepareMsi(DOORBELL);
        assertEquals(0xfffff040L, msi);
        assertEquals(0x08090040L, b.domain().iovaToPhys(msi), "the doorbell page is mapped");
        // One page per doorbell per domain: asking again reuses it.
        assertEquals(0xfffff040L, b.ops().prepareMsi(DOORBELL));
        assertEquals(0xfffff000L + 0x100, b.ops().prepareMsi(0x08090100L), "same page, another offset");
        // The next mapping is pushed down a page: 0xffffe000.
        long buf = rig.pages(1, (byte) 1);
        assertEquals(0xffffe000L, b.ops().mapPhys(buf, K4, DmaDirection.TO_DEVICE, 0));
        // The device can write it (IOMMU_WRITE | IOMMU_NOEXEC | IOMMU_MMIO; LPAE stage 1 has no
        // write-only permission, so arm_lpae_prot_to_pte makes it read-write).
        assertEquals(0x08090040L, b.port().translate(1, msi, AccessType.WRITE));
        assertEquals(2 * K4, b.counter(BackendCounter.IOVA_BYTES_IN_USE), "the doorbell's IOVA is in use");
    }

    @Test
    void aPciDeviceWithA64BitMaskStillGetsItsDoorbellBelow4GiB() throws Exception {
        // pci_32bit_workaround: iommu_dma_alloc_iova tries DMA_BIT_MASK(32) first, for the MSI
        // page as for any mapping (iommu_dma_get_msi_page calls it with dma_get_mask(dev)).
        SimDmaDevice pci = rig.device(Rig.dev("nvme", 2).pci(true));
        IommuDmaBinding b = attach(driver(IommuResvRegion.swMsi(0x8000000L, 0x100000L)), pci);
        assertEquals(0xfffff040L, b.ops().prepareMsi(DOORBELL));
        assertEquals(0xffffe000L, b.ops().mapPhys(rig.pages(1, (byte) 0), K4, DmaDirection.TO_DEVICE, 0));
        // Without the workaround (a platform device with the same mask) it is the top of the aperture.
        SimDmaDevice plat = rig.device(Rig.dev("plat", 3));
        IommuDmaBinding p = attach(driver(), plat);
        assertEquals(DmaMasks.bits(48) - K4 + 1 + 0x40, p.ops().prepareMsi(DOORBELL));
    }

    @Test
    void pciHostBridgeWindowsAreReservedForPciDevicesOnly() throws Exception {
        // iova_reserve_pci_windows: QEMU virt's 32-bit window 0x10000000..0x3effffff and its high
        // window 0x8000000000..0xffffffffff; for a platform device nothing.
        SimDmaDevice pci = rig.device(Rig.dev("nvme", 2).pci(true));
        List<long[]> r = attach(driver(), pci).dmaOps().iovaDomain().ranges();
        assertEquals(2, r.size());
        assertEquals(0x10000L, r.get(0)[0]);
        assertEquals(0x3efefL, r.get(0)[1]);
        assertEquals(1, r.get(0)[2], "reserved");
        assertEquals(0x8000000L, r.get(1)[0]);
        assertEquals(0xfffffffL, r.get(1)[1]);
        SimDmaDevice plat = rig.device(Rig.dev("plat", 3));
        assertTrue(attach(driver(), plat).dmaOps().iovaDomain().ranges().isEmpty());
    }

    @Test
    void theOpsReportEveryRegionTheyReservedAndTheSoftwareMsiWindowTyped() throws Exception {
        // A PCI device: iova_reserve_pci_windows first (QEMU virt's bridge windows
        // 0x10000000+0x2eff0000 and 0x8000000000+0x8000000000, as the test above), then the
        // driver's regions in its order, SW_MSI included though iommu-dma does not reserve it.
        IommuResvRegion sw = IommuResvRegion.swMsi(0x8000000L, 0x100000L);
        IommuResvRegion hw = IommuResvRegion.parse("msi 0xfee00000+0x100000");
        IommuResvRegion rsv = IommuResvRegion.parse("reserved 0xfff00000+0x100000");
        SimDmaDevice pci = rig.device(Rig.dev("nvme", 6).pci(true));
        List<ReservedRegion> got = attach(driver(sw, hw, rsv), pci).ops().reservedRegions();
        assertEquals(List.of(new ReservedRegion(0x10000000L, 0x2eff0000L, ReservedRegion.Kind.PCI_WINDOW),
                new ReservedRegion(0x8000000000L, 0x8000000000L, ReservedRegion.Kind.PCI_WINDOW),
                new ReservedRegion(0x8000000L, 0x100000L, ReservedRegion.Kind.SW_MSI),
                new ReservedRegion(0xfee00000L, 0x100000L, ReservedRegion.Kind.MSI),
                new ReservedRegion(0xfff00000L, 0x100000L, ReservedRegion.Kind.RESERVED)), got);
        // A platform device has no bridge windows; with no driver region the list is empty.
        SimDmaDevice plat = rig.device(Rig.dev("plat", 7));
        assertEquals(List.of(), attach(driver(), plat).ops().reservedRegions());
    }

    @Test
    void reservedAndHardwareMsiRegionsAreKeptOutAndAHardwareDoorbellIsUsedAsItIs() throws Exception {
        // x86's IOAPIC/MSI window 0xfee00000..0xfeefffff is IOMMU_RESV_MSI: reserved, and a
        // doorbell inside it (cookie_init_hw_msi_region) is its own address, with nothing mapped.
        IommuResvRegion hw = IommuResvRegion.parse("msi 0xfee00000+0x100000");
        IommuResvRegion top = IommuResvRegion.parse("reserved 0xfff00000+0x100000");
        SimDmaDevice d = rig.device(Rig.dev("dev", 4).dmaMask(DmaMasks.bits(32)));
        IommuDmaBinding b = attach(driver(hw, top), d);
        assertEquals(0xfee00000L, b.ops().prepareMsi(0xfee00000L));
        assertEquals(0, b.domain().iovaToPhys(0xfee00000L), "untranslated: nothing mapped");
        // The first mapping is the highest free page below the mask: under the reserved top range
        // [0xfff00000, 0xffffffff] the hole down to the MSI window starts at 0xffeff000.
        assertEquals(0xffeff000L, b.ops().mapPhys(rig.pages(1, (byte) 0), K4, DmaDirection.TO_DEVICE, 0));
    }

    @Test
    void directRegionsAreMappedOneToOneAndReserved() throws Exception {
        long ram = rig.pages(2, (byte) 7);
        IommuResvRegion direct = new IommuResvRegion(ram + 0x10, 2 * K4 - 0x10, IommuResvRegionTestProt.RW,
                IommuResvRegion.Type.DIRECT);
        SimDmaDevice d = rig.device(Rig.dev("dev", 5));
        IommuDmaBinding b = attach(driver(direct), d);
        // iommu_create_device_direct_mappings: ALIGN(start) .. ALIGN(start + length), so the
        // region's first, partial page is not mapped and its second page is.
        assertEquals(0, b.domain().iovaToPhys(ram));
        assertEquals(ram + K4 + 8, b.domain().iovaToPhys(ram + K4 + 8));
        assertEquals(0x0707070707070707L, Rig.read(b, d, ram + K4));
        long[] reserved = b.dmaOps().iovaDomain().ranges().get(0);
        assertEquals(ram >>> 12, reserved[0]);
        assertEquals((ram + 2 * K4 - 1) >>> 12, reserved[1]);
    }

    @Test
    void regionsParseAsConfigured() {
        assertEquals(new IommuResvRegion(0x8000000L, 0x100000L, IommuResvRegion.swMsi(0, 1).prot(), IommuResvRegion.Type.SW_MSI),
                IommuResvRegion.parse("sw-msi 0x8000000+0x100000"));
        assertEquals(IommuResvRegion.Type.DIRECT_RELAXABLE, IommuResvRegion.parse("direct-relaxable 1000+1000").type());
        assertThrows(IllegalArgumentException.class, () -> IommuResvRegion.parse("msi 0x1000"));
        assertThrows(IllegalArgumentException.class, () -> IommuResvRegion.parse("other 0+1"));
        assertThrows(IllegalArgumentException.class, () -> IommuResvRegion.parse("msi 0x1000+0"));
        assertEquals(List.of(IommuResvRegion.swMsi(0x8000000L, 0x100000L)), GenericIommuDriver.DEFAULT_RESV_REGIONS);
    }

    /** Read-write prot for a direct region. */
    private static final class IommuResvRegionTestProt {
        static final int RW = org.iommulab.api.iommu.IommuProt.READ | org.iommulab.api.iommu.IommuProt.WRITE;
    }
}
