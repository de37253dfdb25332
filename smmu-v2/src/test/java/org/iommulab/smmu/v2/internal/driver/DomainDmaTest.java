package org.iommulab.smmu.v2.internal.driver;

import static org.iommulab.api.platform.AccessType.READ;
import static org.iommulab.api.platform.AccessType.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.iommulab.api.backend.BackendCounter;
import org.iommulab.api.backend.BackendException;
import org.iommulab.api.backend.TranslationPort;
import org.iommulab.api.iommu.DomainType;
import org.iommulab.api.iommu.IommuDomain;
import org.iommulab.api.iommu.IommuProt;
import org.iommulab.api.iommu.IotlbGather;
import org.iommulab.api.platform.DmaFault;
import org.iommulab.api.platform.DmaFaultException;
import org.iommulab.api.platform.FaultKind;
import org.iommulab.api.platform.FaultOrigin;
import org.iommulab.platform.internal.device.SimDmaDevice;
import org.iommulab.smmu.v2.internal.model.SmmuV2Params;
import org.iommulab.smmu.v2.internal.model.regs.Cb;
import org.junit.jupiter.api.Test;

/** Probe, attach, map, device accesses, unmap and the fault that follows, through the driver. */
class DomainDmaTest {
    private static final int SID = 0x21;
    private static final int RW = IommuProt.READ | IommuProt.WRITE;

    private DriverRig rig = new DriverRig();
    private SimDmaDevice dev = rig.device("nic0", SID);
    private IommuDomain dom;
    private TranslationPort port;

    private void attach(DriverRig r) throws BackendException {
        rig = r;
        dev = rig.device("nic0", SID);
        rig.driver.probeDevice(dev);
        dom = rig.driver.allocDomain(DomainType.DMA);
        assertNotNull(dom);
        assertEquals(0, dom.attachDevice(dev));
        port = rig.driver.translationPort(dev);
    }

    private DmaFault fault(long iova, org.iommulab.api.platform.AccessType access) {
        DmaFaultException e = assertThrows(DmaFaultException.class, () -> port.translate(SID, iova, access));
        return e.fault();
    }

    @Test
    void aMappedIovaReachesItsPageAndAnUnmappedOneFaultsOnce() throws Exception {
        attach(rig);
        long pa = rig.page();
        assertEquals(0, dom.map(0x10_0000, pa, 0x1000, RW));
        assertEquals(pa + 0x44, port.translate(SID, 0x10_0044, WRITE));
        DmaFault f = fault(0x20_0000, READ);
        assertEquals(FaultKind.TRANSLATION, f.kind());
        List<DmaFault> reported = dev.faults();
        assertEquals(1, reported.size(), "the context fault handler reports the fault once");
        DmaFault r = reported.get(0);
        assertEquals(f.kind(), r.kind());
        assertEquals(f.address(), r.address());
        assertEquals(f.syndrome(), r.syndrome(), "the handler read what the model recorded");
        assertEquals("nic0", r.device());
        assertEquals(SID, r.streamId());
        assertEquals(0, rig.cb(((SmmuV2Domain) dom).contextBank(), Cb.FSR), "the handler cleared FSR");
        assertTrue(dev.warnings().get(0).contains("Unhandled context fault"), dev.warnings().toString());
    }

    @Test
    void afterUnmapAndSyncTheDeviceFaults() throws Exception {
        attach(rig);
        long pa = rig.page();
        dom.map(0x10_0000, pa, 0x2000, RW);
        port.translate(SID, 0x10_0000, READ);
        port.translate(SID, 0x10_1000, READ);
        IotlbGather g = new IotlbGather();
        assertEquals(0x2000, dom.unmap(0x10_0000, 0x2000, g));
        assertEquals(pa, port.translate(SID, 0x10_0000, READ), "until the sync completes the old entry serves");
        dom.iotlbSync(g);
        assertEquals(FaultKind.TRANSLATION, fault(0x10_0000, READ).kind());
        assertEquals(FaultKind.TRANSLATION, fault(0x10_1000, WRITE).kind());
        assertEquals(2, dev.faults().size());
        assertTrue(dom.counter(BackendCounter.IOTLB_INVALIDATIONS) >= 2);
        assertEquals(1, dom.counter(BackendCounter.STALE_TRANSLATIONS));
    }

    @Test
    void lazyUnmapLeavesAWindowUntilTheFlushQueueFlushes() throws Exception {
        attach(rig);
        long pa = rig.page();
        dom.map(0x10_0000, pa, 0x1000, RW);
        port.translate(SID, 0x10_0000, READ);
        IotlbGather g = new IotlbGather();
        g.setQueued(true);
        dom.unmap(0x10_0000, 0x1000, g);
        dom.iotlbSync(g);
        assertEquals(pa + 8, port.translate(SID, 0x10_0008, WRITE), "the lazy-mode window");
        assertEquals(1, dom.counter(BackendCounter.STALE_TRANSLATIONS));
        dom.flushIotlbAll();
        assertEquals(FaultKind.TRANSLATION, fault(0x10_0008, WRITE).kind());
    }

    @Test
    void countersComeFromTheContextBanksTlb() throws Exception {
        attach(rig);
        dom.map(0x10_0000, rig.page(), 0x1000, RW);
        for (int i = 0; i < 4; i++) {
            port.translate(SID, 0x10_0000 + 8 * i, READ);
        }
        assertEquals(1, dom.counter(BackendCounter.IOTLB_MISSES));
        assertEquals(3, dom.counter(BackendCounter.IOTLB_HITS));
        assertEquals(-1, dom.counter(BackendCounter.BOUNCED_MAPPINGS));
    }

    @Test
    void iovaToPhysAsksTheHardwareForAStageOneDomain() throws Exception {
        attach(rig);
        long pa = rig.page();
        dom.map(0x30_0000, pa, 0x1000, IommuProt.READ);
        assertEquals(pa + 0x321, dom.iovaToPhys(0x30_0321));
        assertEquals(0, dom.iovaToPhys(0x40_0000));
        assertTrue(rig.hw.read64((long) (rig.hw.params().numPage() + ((SmmuV2Domain) dom).contextBank())
                * rig.hw.params().pageSize() + Cb.PAR.offset()) != 0, "PAR was used");
    }

    @Test
    void aStageTwoDomainTranslatesAndFaults() throws Exception {
        attach(new DriverRig(SmmuV2Params.mmu500().withTiming(4096, 64, 1), new DriverOptions(2, true, false)));
        long pa = rig.page();
        dom.map(0x10_0000, pa, 0x1000, RW);
        assertEquals(pa, port.translate(SID, 0x10_0000, READ));
        IotlbGather g = new IotlbGather();
        dom.unmap(0x10_0000, 0x1000, g);
        dom.iotlbSync(g);
        assertEquals(FaultKind.TRANSLATION, fault(0x10_0000, READ).kind());
        assertEquals(0, dom.iovaToPhys(0x10_0000), "stage 2: the software walk of the table");
        assertEquals(1, dev.faults().size());
    }

    @Test
    void aReadOnlyMappingRefusesDeviceWrites() throws Exception {
        attach(rig);
        dom.map(0x10_0000, rig.page(), 0x1000, IommuProt.READ);
        DmaFault f = fault(0x10_0000, WRITE);
        assertEquals(FaultKind.PERMISSION, f.kind());
        assertEquals(FaultOrigin.ACCESS, f.origin());
        assertEquals(WRITE, dev.faults().get(0).access());
    }

    @Test
    void aTableUnlinkedForABlockIsFreedOnlyAfterItsWalkCacheEntryIsGone() throws Exception {
        attach(rig);
        long a = 0x20_0000;
        dom.map(a, rig.page(), 0x1000, RW);
        port.translate(SID, a, READ); // caches the leaf and, in the walk cache, its level-3 table
        long table = leafTable(a);
        IotlbGather g = new IotlbGather();
        dom.unmap(a, 0x1000, g); // the level-3 table empties and stays linked, as in Linux
        dom.iotlbSync(g); // the leaf invalidated (TLBIVAL)
        assertEquals(table, leafTable(a));
        // A 2 MiB block over the empty table (arm_lpae_init_pte): the table is unlinked, its
        // walk flushed (tlb_flush_walk: TLBIVA, which takes walk-cache entries), then freed.
        long pa = rig.alloc.allocPages(1024, org.iommulab.api.platform.Zone.NORMAL);
        long block = (pa + 0x1f_ffff) & ~0x1f_ffffL;
        assertEquals(0, dom.map(a, block, 0x20_0000, RW));
        // Whoever reuses the freed page writes into it: a page descriptor at a's index.
        rig.mem.writeLong(table + 8L * ((a >>> 12) & 511), rig.page() | 0x743);
        assertEquals(block + 0x1234, port.translate(SID, a + 0x1234, READ), "no walk resumes in the freed page");
    }

    /** The level-3 table holding {@code iova}'s descriptor in {@link #dom}'s stage-1 table (4K, 4 levels). */
    private long leafTable(long iova) {
        int bank = ((SmmuV2Domain) dom).contextBank();
        long table = rig.hw.read64((long) (rig.hw.params().numPage() + bank) * rig.hw.params().pageSize()
                + Cb.TTBR0.offset()) & 0x0000_ffff_ffff_f000L;
        for (int lvl = 0; lvl < 3; lvl++) {
            long pte = rig.mem.readLong(table + 8L * ((iova >>> (39 - 9 * lvl)) & 511));
            table = pte & 0x0000_ffff_ffff_f000L;
        }
        return table;
    }

    @Test
    void withTheQualcommErratumABlockUnmapLeavesStalePagesUnlessInvalidatedPageByPage() throws Exception {
        for (boolean perPage : new boolean[] {false, true}) {
            attach(new DriverRig(SmmuV2Params.mmu500().withTiming(4096, 64, 0), new DriverOptions(0, true, perPage)));
            rig.hw.setBasePageTlbiErratum(true);
            long pa = rig.alloc.allocPages(1024, org.iommulab.api.platform.Zone.NORMAL);
            long block = (pa + 0x1f_ffff) & ~0x1f_ffffL;
            assertEquals(0, dom.map(0x4000_0000L, block, 0x20_0000, RW));
            for (long off : new long[] {0, 0x1000, 0x1f_f000}) {
                assertEquals(block + off, port.translate(SID, 0x4000_0000L + off, READ));
            }
            IotlbGather g = new IotlbGather();
            assertEquals(0x20_0000, dom.unmap(0x4000_0000L, 0x20_0000, g));
            dom.iotlbSync(g);
            assertEquals(FaultKind.TRANSLATION, fault(0x4000_0000L, READ).kind());
            if (perPage) {
                assertEquals(FaultKind.TRANSLATION, fault(0x4000_1000L, READ).kind());
                assertEquals(FaultKind.TRANSLATION, fault(0x401f_f000L, READ).kind());
            } else {
                assertEquals(block + 0x1000, port.translate(SID, 0x4000_1000L, READ), "stale: use after free");
            }
        }
    }
}
