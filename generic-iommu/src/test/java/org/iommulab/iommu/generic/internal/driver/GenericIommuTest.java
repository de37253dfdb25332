package org.iommulab.iommu.generic.internal.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.iommulab.api.backend.BackendCounter;
import org.iommulab.api.backend.BackendException;
import org.iommulab.api.backend.TranslationPort;
import org.iommulab.api.dma.DmaMasks;
import org.iommulab.api.iommu.DomainType;
import org.iommulab.api.iommu.IommuCapability;
import org.iommulab.api.iommu.IommuErrno;
import org.iommulab.api.iommu.IommuProt;
import org.iommulab.api.iommu.IotlbGather;
import org.iommulab.api.platform.AccessType;
import org.iommulab.api.platform.DeviceDescriptor;
import org.iommulab.api.platform.DmaFault;
import org.iommulab.api.platform.DmaFaultException;
import org.iommulab.api.platform.FaultKind;
import org.iommulab.api.platform.FaultOrigin;
import org.iommulab.api.platform.Zone;
import org.iommulab.iommu.generic.internal.format.DeviceTableEntry;
import org.iommulab.iommu.generic.internal.format.GenericIommuRegs;
import org.iommulab.iommu.generic.internal.model.GenericIommuModel;
import org.iommulab.platform.internal.device.SimDmaDevice;
import org.iommulab.platform.internal.memory.SparsePhysicalMemory;
import org.iommulab.platform.internal.memory.ZonedPageAllocator;
import org.junit.jupiter.api.Test;

/** The generic IOMMU's driver programming its hardware model, through the IommuDriver SPI. */
class GenericIommuTest {
    private static final long K4 = 4096;
    private static final int RW = IommuProt.READ | IommuProt.WRITE;

    private final SparsePhysicalMemory mem = SparsePhysicalMemory.defaultLayout();
    private final ZonedPageAllocator alloc = new ZonedPageAllocator(mem);
    private final GenericIommuModel hw = new GenericIommuModel("generic", 48, 48, 4, 4, 8, false);
    private final GenericIommuDriver driver = new GenericIommuDriver(hw);

    private SimDmaDevice device(String name, int... sids) {
        return new SimDmaDevice(DeviceDescriptor.builder(name).streamIds(sids).dmaMask(DmaMasks.bits(64)).build(), mem,
                alloc);
    }

    private GenericDomain attached(SimDmaDevice d) throws BackendException {
        driver.probeDevice(d);
        GenericDomain dom = (GenericDomain) driver.allocDomain(DomainType.DMA);
        assertEquals(0, dom.attachDevice(d));
        return dom;
    }

    private long page(byte fill) {
        long p = alloc.allocPages(1, Zone.NORMAL);
        mem.fill(p, K4, fill);
        return p;
    }

    @Test
    void shutdownDisablesTheIommuAndGivesTheDeviceTableBack() throws Exception {
        long before = alloc.allocatedBytes();
        SimDmaDevice d = device("dev", 1);
        driver.probeDevice(d);
        // 4 stream-ID bits: a 16-entry table, rounded up to one page.
        assertTrue(alloc.allocatedBytes() > before, "the first probe allocates the device table");
        driver.releaseDevice(d);
        driver.shutdown();
        assertEquals(before, alloc.allocatedBytes(), "every page back");
        assertEquals(-1, driver.deviceTable());
        assertEquals(0, hw.readReg(GenericIommuRegs.CTRL.offset()) & GenericIommuRegs.CTRL_EN.mask(), "translation off");
        driver.shutdown(); // twice is harmless
    }

    @Test
    void advertisesWhatTheBriefAsks() {
        assertEquals("generic", driver.name());
        assertTrue(driver.capable(IommuCapability.DEFERRED_FLUSH));
        assertTrue(driver.capable(IommuCapability.CACHE_COHERENCY));
        assertFalse(driver.capable(IommuCapability.DIRTY_TRACKING));
        assertEquals((1L << 12) | (1L << 21) | (1L << 30), driver.pgsizeBitmap());
        assertNull(driver.allocDomain(DomainType.DMA), "no domain before the driver met the platform's memory");
    }

    @Test
    void probeRefusesStreamsBeyondTheDeviceTable() {
        SimDmaDevice far = device("far", 16);
        assertFalse(driver.servesDevice(far));
        BackendException e = assertThrows(BackendException.class, () -> driver.probeDevice(far));
        assertTrue(e.getMessage().contains("0..15"));
        assertEquals(-1, driver.deviceTable(), "nothing was set up");
    }

    @Test
    void attachWritesTheDeviceTableEntry() throws Exception {
        SimDmaDevice d = device("nic", 3, 5);
        GenericDomain dom = attached(d);
        long dte = driver.deviceTable() + 5 * DeviceTableEntry.SIZE;
        long w0 = mem.readLong(dte);
        assertTrue(DeviceTableEntry.valid(w0));
        assertEquals(dom.domainId(), DeviceTableEntry.did(w0));
        assertEquals(48, DeviceTableEntry.ias(w0));
        assertEquals(dom.pageTable().ttb(), DeviceTableEntry.ttb(mem.readLong(dte + 8)));
        assertEquals(GenericIommuRegs.CTRL_EN.mask(), hw.readReg(GenericIommuRegs.CTRL.offset()));
        assertEquals(driver.deviceTable(), hw.readReg(GenericIommuRegs.DT_BASE.offset()));
    }

    @Test
    void translatesThroughTheIotlbAndCountsHitsAndMisses() throws Exception {
        SimDmaDevice d = device("nic", 1);
        GenericDomain dom = attached(d);
        TranslationPort port = driver.translationPort(d);
        long p = page((byte) 1);
        assertEquals(0, dom.map(0x10_0000, p, K4, RW));
        assertEquals(p + 0x10, port.translate(1, 0x10_0010, AccessType.READ));
        assertEquals(p + 0x18, port.translate(1, 0x10_0018, AccessType.WRITE));
        assertEquals(1, dom.counter(BackendCounter.IOTLB_MISSES));
        assertEquals(1, dom.counter(BackendCounter.IOTLB_HITS));
        // A 2 MiB block: one walk serves every page in it.
        assertEquals(0, dom.map(0x4000_0000L, 0x8000_0000L, 1L << 21, RW));
        for (long off = 0; off < (1L << 21); off += 64 * K4) {
            assertEquals(0x8000_0000L + off, port.translate(1, 0x4000_0000L + off, AccessType.READ));
        }
        assertEquals(2, dom.counter(BackendCounter.IOTLB_MISSES));
        assertEquals(-1, dom.counter(BackendCounter.IOVA_BYTES_IN_USE));
    }

    @Test
    void strictUnmapAndSyncInvalidatesTheRange() throws Exception {
        SimDmaDevice d = device("nic", 1);
        GenericDomain dom = attached(d);
        TranslationPort port = driver.translationPort(d);
        long p = page((byte) 1);
        assertEquals(0, dom.map(0x10_0000, p, 2 * K4, RW));
        port.translate(1, 0x10_0000, AccessType.READ);
        port.translate(1, 0x10_1000, AccessType.READ);
        IotlbGather g = new IotlbGather();
        assertEquals(K4, dom.unmap(0x10_0000, K4, g));
        assertEquals(p + K4, port.translate(1, 0x10_1000, AccessType.READ), "cached entry still there before the sync");
        assertEquals(p, port.translate(1, 0x10_0000, AccessType.READ), "and so is the stale one");
        dom.iotlbSync(g);
        assertEquals(1, dom.counter(BackendCounter.IOTLB_INVALIDATIONS));
        DmaFaultException e = assertThrows(DmaFaultException.class, () -> port.translate(1, 0x10_0000, AccessType.READ));
        assertEquals(FaultKind.TRANSLATION, e.fault().kind());
        assertEquals(3, e.fault().level());
        assertEquals(p + K4, port.translate(1, 0x10_1000, AccessType.READ), "outside the range: kept");
    }

    @Test
    void faultsAreLoggedReportedOnceAndThrown() throws Exception {
        SimDmaDevice d = device("nic", 2);
        GenericDomain dom = attached(d);
        TranslationPort port = driver.translationPort(d);
        long p = page((byte) 1);
        assertEquals(0, dom.map(0x20_0000, p, K4, IommuProt.READ));
        port.translate(2, 0x20_0000, AccessType.READ);
        DmaFaultException e = assertThrows(DmaFaultException.class, () -> port.translate(2, 0x20_0008, AccessType.WRITE));
        DmaFault f = e.fault();
        assertEquals(FaultKind.PERMISSION, f.kind());
        assertEquals(FaultOrigin.ACCESS, f.origin());
        assertEquals("nic", f.device());
        assertEquals(2, f.streamId());
        assertEquals("generic", f.backend());
        assertEquals(1L, f.syndrome().get("WNR"));
        assertEquals((long) dom.domainId(), f.syndrome().get("DID"));
        assertEquals(1, d.faults().size());
        assertSame(f, d.faults().get(0));
        assertEquals(1, hw.faultLog().size());
        assertEquals(1, hw.readReg(GenericIommuRegs.FAULT_COUNT.offset()));
        // The log is bounded (8 here).
        for (int i = 0; i < 10; i++) {
            assertThrows(DmaFaultException.class, () -> port.translate(2, 0x30_0000, AccessType.READ));
        }
        assertEquals(8, hw.faultLog().size());
        assertEquals(11, hw.readReg(GenericIommuRegs.FAULT_COUNT.offset()));
    }

    @Test
    void detachedStreamsAreDisabled() throws Exception {
        SimDmaDevice d = device("nic", 1);
        GenericDomain dom = attached(d);
        long p = page((byte) 1);
        assertEquals(0, dom.map(0x10_0000, p, K4, RW));
        TranslationPort port = driver.translationPort(d);
        port.translate(1, 0x10_0000, AccessType.READ);
        dom.detachDevice(d);
        DmaFaultException e = assertThrows(DmaFaultException.class, () -> port.translate(1, 0x10_0000, AccessType.READ));
        assertEquals(FaultKind.STREAM_DISABLED, e.fault().kind());
        assertThrows(IllegalStateException.class, () -> driver.translationPort(device("other", 7)));
    }

    @Test
    void misprogrammedDeviceTableEntriesAreReportedAsSuch() throws Exception {
        SimDmaDevice d = device("nic", 1);
        GenericDomain dom = attached(d);
        TranslationPort port = driver.translationPort(d);
        long p = page((byte) 0);
        assertEquals(0, dom.map(0x1000, p, K4, RW));
        assertEquals(p, port.translate(1, 0x1000, AccessType.READ));
        // A buggy driver rewrites the entry for the 16 KiB granule, which the IDR does not
        // advertise. Until it invalidates the entry the model keeps its cached decode.
        long dte = driver.deviceTable() + DeviceTableEntry.SIZE;
        mem.writeLong(dte, DeviceTableEntry.word0(DeviceTableEntry.TG_16K, 48, 48, false, dom.domainId()));
        assertEquals(p, port.translate(1, 0x1000, AccessType.READ));
        hw.writeReg(GenericIommuRegs.CMD.offset(), GenericIommuRegs.cmd(GenericIommuRegs.OP_INV_DTE, 0, 1));
        DmaFaultException e = assertThrows(DmaFaultException.class, () -> port.translate(1, 0x1000, AccessType.READ));
        assertEquals(FaultKind.BAD_CONFIG, e.fault().kind());
        assertEquals(FaultOrigin.MISPROGRAMMED, e.fault().origin());
        // A table base outside RAM: the walk's fetch aborts.
        mem.writeLong(dte, DeviceTableEntry.word0(DeviceTableEntry.TG_4K, 48, 48, false, dom.domainId()));
        mem.writeLong(dte + 8, 0x1000_0000L);
        hw.writeReg(GenericIommuRegs.CMD.offset(), GenericIommuRegs.cmd(GenericIommuRegs.OP_INV_ALL, 0, 0));
        e = assertThrows(DmaFaultException.class, () -> port.translate(1, 0x1000, AccessType.READ));
        assertEquals(FaultKind.FETCH_ABORT, e.fault().kind());
        assertEquals(FaultOrigin.MISPROGRAMMED, e.fault().origin());
        assertEquals(0x1000_0000L, e.fault().syndrome().get("FETCH_ADDR"));
    }

    @Test
    void iotlbIsBoundedAndFlushedWhenFull() throws Exception {
        SimDmaDevice d = device("nic", 1);
        GenericDomain dom = attached(d);
        TranslationPort port = driver.translationPort(d);
        long p = page((byte) 0);
        for (int i = 0; i < 5; i++) {
            assertEquals(0, dom.map(0x10_0000 + i * K4, p, K4, RW));
            port.translate(1, 0x10_0000 + i * K4, AccessType.READ);
        }
        assertEquals(1, hw.iotlbSize(), "full at 4: flushed, then the fifth inserted");
    }

    @Test
    void illegalCommandsSetCmdErr() {
        hw.writeReg(GenericIommuRegs.CMD.offset(), 0xf);
        assertEquals(GenericIommuRegs.STATUS_CMD_ERR.mask(), hw.readReg(GenericIommuRegs.STATUS.offset()));
        hw.writeReg(GenericIommuRegs.STATUS.offset(), GenericIommuRegs.STATUS_CMD_ERR.mask());
        assertEquals(0, hw.readReg(GenericIommuRegs.STATUS.offset()));
        assertThrows(IllegalArgumentException.class, () -> hw.readReg(0x1000));
        assertThrows(IllegalStateException.class, () -> driver.issue(0xe));
    }

    @Test
    void freeingADomainReturnsItsMemoryAndItsId() throws Exception {
        SimDmaDevice d = device("nic", 1);
        driver.probeDevice(d);
        long bytes = alloc.allocatedBytes();
        GenericDomain dom = (GenericDomain) driver.allocDomain(DomainType.DMA_FQ);
        assertEquals(DomainType.DMA_FQ, dom.type());
        assertEquals(0, dom.attachDevice(d));
        assertEquals(0, dom.map(0x7000_0000L, 0x8000_0000L, 16 * K4, RW));
        assertThrows(IllegalStateException.class, dom::free, "a device is still attached");
        dom.detachDevice(d);
        dom.free();
        assertEquals(bytes, alloc.allocatedBytes());
        GenericDomain again = (GenericDomain) driver.allocDomain(DomainType.DMA);
        assertEquals(dom.domainId(), again.domainId(), "the ID is reused");
        assertEquals(IommuErrno.ENODEV, dom.attachDevice(d));
        assertNull(driver.allocDomain(DomainType.IDENTITY));
        assertNotNull(driver.allocDomain(DomainType.UNMANAGED));
    }

    @Test
    void badModelParametersAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new GenericIommuModel("g", 52, 48, 8, 16, 8, false));
        assertThrows(IllegalArgumentException.class, () -> new GenericIommuModel("g", 48, 38, 8, 16, 8, false));
        assertThrows(IllegalArgumentException.class, () -> new GenericIommuModel("g", 48, 48, 17, 16, 8, false));
        assertThrows(IllegalArgumentException.class, () -> new GenericIommuModel("g", 48, 48, 8, 0, 8, false));
    }

    /**
     * The generic driver's tlb_add_page only widens the gather (Linux's
     * {@code iommu_iotlb_gather_add_range}): a run of 3 pages at 0x20000 added to a gather at
     * [0x10000, 0x10fff] widens it to [0x10000, 0x22fff], as 3 single calls do.
     */
    @Test
    void aRunOfLeavesWidensTheGatherAsItsPagesWould() throws BackendException {
        GenericDomain dom = attached(device("g", 9));
        IotlbGather bulk = new IotlbGather();
        IotlbGather single = new IotlbGather();
        bulk.add(0x10000, K4, K4);
        single.add(0x10000, K4, K4);
        dom.tlbAddPages(bulk, 0x20000, 3, K4);
        for (int j = 0; j < 3; j++) {
            dom.tlbAddPage(single, 0x20000 + j * K4, K4);
        }
        assertEquals(0x10000, bulk.start());
        assertEquals(0x22fff, bulk.end());
        assertEquals(K4, bulk.pageSize());
        assertEquals(single.start(), bulk.start());
        assertEquals(single.end(), bulk.end());
    }
}
