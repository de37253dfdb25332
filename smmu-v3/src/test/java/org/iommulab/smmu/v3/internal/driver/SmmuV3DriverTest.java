package org.iommulab.smmu.v3.internal.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.iommulab.api.backend.BackendCounter;
import org.iommulab.api.backend.BackendException;
import org.iommulab.api.backend.TranslationPort;
import org.iommulab.api.iommu.DomainType;
import org.iommulab.api.iommu.IommuCapability;
import org.iommulab.api.iommu.IommuDomain;
import org.iommulab.api.iommu.IommuErrno;
import org.iommulab.api.iommu.IommuProt;
import org.iommulab.api.iommu.IotlbGather;
import org.iommulab.api.platform.AccessType;
import org.iommulab.api.platform.DmaFault;
import org.iommulab.api.platform.DmaFaultException;
import org.iommulab.api.platform.FaultKind;
import org.iommulab.api.platform.FaultOrigin;
import org.iommulab.modelkit.regs.Register;
import org.iommulab.platform.internal.device.SimDmaDevice;
import org.iommulab.smmu.v3.internal.format.EventFormat;
import org.iommulab.smmu.v3.internal.format.RegFields.Cr0;
import org.iommulab.smmu.v3.internal.format.RegFields.Cr2;
import org.iommulab.smmu.v3.internal.format.RegFields.Strtab;
import org.iommulab.smmu.v3.internal.format.Regs;
import org.iommulab.smmu.v3.internal.model.SmmuV3Features;
import org.junit.jupiter.api.Test;

/** The driver end to end: probe and enable, attach, map, device access, unmap and invalidation. */
class SmmuV3DriverTest {
    private static final long IOVA = 0x10_0000L;
    private static final long PA = 0x8000_0000L;
    private static final int RW = IommuProt.READ | IommuProt.WRITE;

    private final DriverHarness h = DriverHarness.stage1();

    private static long reg(DriverHarness h, Register r) {
        return h.driver.mmio().read32(r.offset()) & 0xffff_ffffL;
    }

    @Test
    void probeProgramsAndEnablesTheSmmu() {
        long on = Cr0.SMMUEN.mask() | Cr0.EVENTQEN.mask() | Cr0.CMDQEN.mask();
        assertEquals(on, reg(h, Regs.CR0));
        assertEquals(on, reg(h, Regs.CR0ACK));
        assertEquals(Cr2.RECINVSID.mask() | Cr2.PTM.mask(), reg(h, Regs.CR2));
        assertEquals(0b101, reg(h, Regs.IRQ_CTRLACK));
        long cfg = reg(h, Regs.STRTAB_BASE_CFG);
        assertEquals(Strtab.FMT_2LVL, Strtab.FMT.get(cfg));
        assertEquals(16, Strtab.LOG2SIZE.get(cfg));
        assertEquals(8, Strtab.SPLIT.get(cfg));
        assertEquals(0, reg(h, Regs.GERROR) ^ reg(h, Regs.GERRORN));
        assertEquals(4, h.model.commandsConsumed(), "CFGI_ALL, SYNC, TLBI_NSNH_ALL, SYNC");
        assertEquals(reg(h, Regs.CMDQ_PROD), reg(h, Regs.CMDQ_CONS));
        assertThrows(IllegalStateException.class, h.driver::probe);
    }

    @Test
    void mapTranslateUnmapAndFaultAfterSync() throws BackendException {
        SimDmaDevice dev = h.device("nic", 0x0102);
        h.driver.probeDevice(dev);
        IommuDomain d = h.driver.allocDomain(DomainType.DMA);
        assertEquals(0, d.attachDevice(dev));
        assertEquals(0, d.map(IOVA, PA, 0x2000, RW));
        assertEquals(PA + 0x1008, d.iovaToPhys(IOVA + 0x1008));
        TranslationPort port = h.driver.translationPort(dev);
        assertEquals(12, port.pageShift());
        assertEquals(PA + 0x10, port.translate(0x0102, IOVA + 0x10, AccessType.WRITE));
        assertEquals(PA + 0x1010, port.translate(0x0102, IOVA + 0x1010, AccessType.READ));
        assertEquals(PA + 0x20, port.translate(0x0102, IOVA + 0x20, AccessType.READ));
        assertEquals(1, d.counter(BackendCounter.IOTLB_HITS));
        assertEquals(2, d.counter(BackendCounter.IOTLB_MISSES));

        IotlbGather gather = new IotlbGather();
        assertEquals(0x2000, d.unmap(IOVA, 0x2000, gather));
        assertEquals(0, d.iovaToPhys(IOVA));
        assertEquals(PA + 0x30, port.translate(0x0102, IOVA + 0x30, AccessType.READ), "stale until the sync");
        long before = d.counter(BackendCounter.IOTLB_INVALIDATIONS);
        d.iotlbSync(gather);
        assertTrue(d.counter(BackendCounter.IOTLB_INVALIDATIONS) > before);
        DmaFaultException e = assertThrows(DmaFaultException.class,
                () -> port.translate(0x0102, IOVA + 0x30, AccessType.READ));
        DmaFault f = e.fault();
        assertEquals(FaultKind.TRANSLATION, f.kind());
        assertEquals("nic", f.device());
        assertEquals((long) EventFormat.F_TRANSLATION, f.syndrome().get("EVT.ID"));
        assertEquals(1, dev.faults().size(), "reported once, by the model, before the abort");
        assertTrue(dev.warnings().get(0).contains("event 0x10 received"), dev.warnings().toString());
        assertEquals(1, h.driver.events().size(), "the driver drained the record on the EVTQ interrupt");
        assertEquals(reg(h, Regs.EVENTQ_PROD), reg(h, Regs.EVENTQ_CONS));
    }

    @Test
    void badMapChangesNothing() throws BackendException {
        SimDmaDevice dev = h.device("d", 1);
        h.driver.probeDevice(dev);
        IommuDomain d = h.driver.allocDomain(DomainType.DMA);
        d.attachDevice(dev);
        assertEquals(IommuErrno.EINVAL, d.map(IOVA, PA, 0x1800, RW));
        assertEquals(IommuErrno.EINVAL, d.map(IOVA + 8, PA, 0x1000, RW));
        assertEquals(0, d.iovaToPhys(IOVA));
        assertThrows(DmaFaultException.class, () -> h.driver.translationPort(dev).translate(1, IOVA, AccessType.READ));
        assertEquals(0, d.map(IOVA, PA, 0x1000, RW));
        assertEquals(IommuErrno.EEXIST, d.map(IOVA, PA, 0x1000, RW));
    }

    @Test
    void readOnlyMappingFaultsOnWrite() throws BackendException {
        SimDmaDevice dev = h.device("d", 1);
        h.driver.probeDevice(dev);
        IommuDomain d = h.driver.allocDomain(DomainType.DMA);
        d.attachDevice(dev);
        d.map(IOVA, PA, 0x1000, IommuProt.READ);
        TranslationPort port = h.driver.translationPort(dev);
        assertEquals(PA, port.translate(1, IOVA, AccessType.READ));
        DmaFaultException e = assertThrows(DmaFaultException.class, () -> port.translate(1, IOVA, AccessType.WRITE));
        assertEquals(FaultKind.PERMISSION, e.fault().kind());
        assertEquals(FaultOrigin.ACCESS, e.fault().origin());
    }

    @Test
    void detachIdentityAndBlockedDomains() throws BackendException {
        SimDmaDevice dev = h.device("d", 7, 8);
        h.driver.probeDevice(dev);
        TranslationPort port = h.driver.translationPort(dev);
        DmaFaultException e = assertThrows(DmaFaultException.class, () -> port.translate(7, PA, AccessType.READ));
        assertEquals(FaultKind.STREAM_DISABLED, e.fault().kind(), "a probed master starts blocked");
        IommuDomain id = h.driver.allocDomain(DomainType.IDENTITY);
        id.attachDevice(dev);
        assertEquals(PA + 4, port.translate(8, PA + 4, AccessType.WRITE));
        assertEquals(IommuErrno.EINVAL, id.map(0, 0, 0x1000, RW));
        IommuDomain dma = h.driver.allocDomain(DomainType.DMA);
        dma.attachDevice(dev);
        dma.map(IOVA, PA, 0x1000, RW);
        assertEquals(PA, port.translate(8, IOVA, AccessType.READ));
        assertThrows(IllegalStateException.class, dma::free, "a domain with a device attached is not freed");
        dma.detachDevice(dev);
        assertThrows(DmaFaultException.class, () -> port.translate(8, IOVA, AccessType.READ));
        dma.free();
        IommuDomain blocked = h.driver.allocDomain(DomainType.BLOCKED);
        blocked.attachDevice(dev);
        assertThrows(DmaFaultException.class, () -> port.translate(7, PA, AccessType.READ));
        assertTrue(h.driver.events().isEmpty(), "aborting STEs record nothing");
    }

    @Test
    void devicesBeyondTheStreamTableAreRefused() throws BackendException {
        DriverHarness small = new DriverHarness(SmmuV3Features.builder().sidBits(6).build(), DriverConfig.defaults());
        SimDmaDevice far = small.device("far", 64);
        assertTrue(!small.driver.servesDevice(far));
        assertThrows(BackendException.class, () -> small.driver.probeDevice(far));
        SimDmaDevice near = small.device("near", 63);
        small.driver.probeDevice(near);
        assertThrows(BackendException.class, () -> small.driver.probeDevice(small.device("twin", 63)),
                "a StreamID belongs to one master");
    }

    @Test
    void capabilitiesAndDomainTypes() {
        assertTrue(h.driver.capable(IommuCapability.DEFERRED_FLUSH));
        assertTrue(h.driver.capable(IommuCapability.CACHE_COHERENCY));
        assertTrue(!h.driver.capable(IommuCapability.DIRTY_TRACKING));
        IommuDomain fq = h.driver.allocDomain(DomainType.DMA_FQ);
        assertNotNull(fq);
        assertEquals(DomainType.DMA_FQ, fq.type());
        assertEquals((1L << 48) - 1, fq.apertureEnd());
        assertEquals((1L << 12) | (1L << 21) | (1L << 30), fq.pgsizeBitmap());
        fq.free();
    }

    @Test
    void releaseMakesTheMasterAbortAndFreesItsStreams() throws BackendException {
        SimDmaDevice dev = h.device("d", 3);
        h.driver.probeDevice(dev);
        IommuDomain d = h.driver.allocDomain(DomainType.IDENTITY);
        d.attachDevice(dev);
        TranslationPort port = h.driver.translationPort(dev);
        assertEquals(PA, port.translate(3, PA, AccessType.READ));
        h.driver.releaseDevice(dev);
        assertThrows(DmaFaultException.class, () -> port.translate(3, PA, AccessType.READ));
        assertThrows(IllegalStateException.class, () -> h.driver.translationPort(dev));
        d.free(); // the released master no longer counts as attached
        h.driver.probeDevice(h.device("other", 3));
    }

    /**
     * A run of leaves added at once leaves the gather as the per-page calls of
     * {@code __arm_lpae_unmap} do. Worked from Linux's {@code iommu_iotlb_gather_add_page}: a
     * gather at [0x10000, 0x10fff] of 4 KiB pages, then a run of 3 pages at 0x20000 that does
     * not adjoin it: the first page syncs the gather (one TLBI + CMD_SYNC) and restarts it, the
     * others adjoin, so the gather ends as [0x20000, 0x22fff], pgsize 4 KiB, one sync issued.
     * A run adjoining the gather (0x23000, 2 pages) only widens it, to 0x24fff.
     */
    @Test
    void aRunOfLeavesGathersAsItsPagesWould() throws BackendException {
        SimDmaDevice dev = h.device("g", 3);
        h.driver.probeDevice(dev);
        SmmuV3Domain d = (SmmuV3Domain) h.driver.allocDomain(DomainType.DMA);
        assertEquals(0, d.attachDevice(dev));
        IotlbGather bulk = new IotlbGather();
        bulk.add(0x10000, 0x1000, 0x1000);
        long before = d.counter(BackendCounter.IOTLB_INVALIDATIONS);
        d.tlbAddPages(bulk, 0x20000, 3, 0x1000);
        assertEquals(before + 1, d.counter(BackendCounter.IOTLB_INVALIDATIONS), "the disjoint gather was synced once");
        assertEquals(0x20000, bulk.start());
        assertEquals(0x22fff, bulk.end());
        assertEquals(0x1000, bulk.pageSize());
        d.tlbAddPages(bulk, 0x23000, 2, 0x1000);
        assertEquals(before + 1, d.counter(BackendCounter.IOTLB_INVALIDATIONS), "an adjoining run syncs nothing");
        assertEquals(0x20000, bulk.start());
        assertEquals(0x24fff, bulk.end());
    }
}
