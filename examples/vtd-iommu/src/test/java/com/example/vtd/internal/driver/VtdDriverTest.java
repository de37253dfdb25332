package com.example.vtd.internal.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.iommulab.api.backend.BackendCounter;
import org.iommulab.api.iommu.DomainType;
import org.iommulab.api.iommu.IommuDomain;
import org.iommulab.api.iommu.IommuErrno;
import org.iommulab.api.iommu.IommuProt;
import org.iommulab.api.platform.DmaFault;
import org.iommulab.api.platform.DmaFaultException;
import org.iommulab.api.platform.FaultKind;
import org.iommulab.api.platform.FaultOrigin;
import org.junit.jupiter.api.Test;

import com.example.vtd.internal.Seed;
import com.example.vtd.support.Rig;
import com.example.vtd.support.TestDevice;

/** The driver and the model together, through the IommuDriver and IommuDomain SPI. */
class VtdDriverTest {
    private static final int RW = IommuProt.READ | IommuProt.WRITE;

    @Test
    void mappedPagesTranslateAndUnmappedOnesFaultOnce() {
        Rig r = new Rig(Seed.NONE, 0x0321);
        long buf = r.buffer(2);
        assertEquals(0, r.domain.map(0x10000, buf, 0x2000, RW));
        assertEquals(buf + 8, r.read(0x10008));
        assertEquals(buf + 0x1ff0, r.write(0x11ff0));
        assertEquals(buf + 0x1000, r.domain.iovaToPhys(0x11000));

        assertEquals(0x2000, r.unmap(0x10000, 0x2000));
        DmaFaultException e = assertThrows(DmaFaultException.class, () -> r.write(0x11000));
        DmaFault f = e.fault();
        // A write to a not-present entry: fault reason 5h, kind TRANSLATION (nothing mapped).
        assertEquals(FaultKind.TRANSLATION, f.kind());
        assertEquals(FaultOrigin.ACCESS, f.origin());
        assertEquals(5L, f.syndrome().get("FR"));
        assertEquals(0x0321L, f.syndrome().get("SID"));
        assertEquals(0L, f.syndrome().get("T"), "T = 0: a write request");
        assertEquals(0x11000L, f.syndrome().get("FI"));
        assertEquals(1L, f.syndrome().get("RECORDED"));
        assertEquals(1, r.dev.faults.size(), "reported exactly once");
        // The fault interrupt drained the record and printed it as Linux's dmar_fault_do_one does.
        assertEquals(1, r.dev.warnings.size());
        assertEquals("DMAR: [DMA Write NO_PASID] Request device [03:04.1] fault addr 0x11000 [fault reason 0x05]"
                + " PTE Write access is not set", r.dev.warnings.get(0));
        assertEquals(r.dev.warnings, r.driver.faultMessages());
    }

    @Test
    void readOnlyMappingsRefuseWritesWithPermissionFaults() {
        Rig r = new Rig(Seed.NONE, 0x10);
        long buf = r.buffer(1);
        assertEquals(0, r.domain.map(0x5000, buf, 0x1000, IommuProt.READ));
        r.read(0x5000); // fills the IOTLB: the write below is refused on the IOTLB hit
        DmaFault f = assertThrows(DmaFaultException.class, () -> r.write(0x5000)).fault();
        assertEquals(FaultKind.PERMISSION, f.kind());
        assertEquals(5L, f.syndrome().get("FR"));
        assertEquals(1, r.dev.faults.size());
        // A second fault from the same requester is recorded too: the handler cleared F.
        assertThrows(DmaFaultException.class, () -> r.write(0x5000));
        assertEquals(2, r.dev.faults.size());
        assertEquals(1L, r.dev.faults.get(1).syndrome().get("RECORDED"));
    }

    @Test
    void superpagesAreUsedWhereAlignmentAllows() {
        Rig r = new Rig(Seed.NONE, 0x10);
        long buf = r.alloc.allocPages(1024, org.iommulab.api.platform.Zone.NORMAL); // 4 MiB, 4 MiB aligned
        assertEquals(0, r.domain.map(0x4000_0000L, buf, 4L << 20, RW));
        assertEquals(buf + 0x20_1234, r.read(0x4020_1234L));
        // 2 MiB leaves: unmapping one 4 KiB page of one is refused, as Linux since v6.13.
        assertEquals(0, r.unmap(0x4000_1000L, 0x1000));
        assertEquals(2L << 20, r.unmap(0x4000_0000L, 2L << 20));
        assertThrows(DmaFaultException.class, () -> r.read(0x4000_0000L));
        assertEquals(buf + (2L << 20), r.read(0x4020_0000L));
    }

    @Test
    void psiMaskCoversUnalignedRanges() {
        // calculate_psi_aligned_address, worked examples (pages of 4 KiB):
        // [0x0000, 0x0fff]: 1 page at pfn 0 -> AM 0.
        assertEquals(0, DmarUnit.psiMask(0x0000, 0x0fff));
        // [0x2000, 0x3fff]: 2 pages at pfn 2, aligned to 2 -> AM 1.
        assertEquals(1, DmarUnit.psiMask(0x2000, 0x3fff));
        // [0x3000, 0x4fff]: 2 pages at pfn 3: 3 & 1 != 0; pfn 3 ^ pfn 4 = 0b111, the first bit
        // above the size where they agree is bit 3 -> AM 3: pfns 0..7 cover 3..4.
        assertEquals(3, DmarUnit.psiMask(0x3000, 0x4fff));
        // [0x5000, 0x7fff]: 3 pages round up to 4; pfn 5 & 3 != 0; 5 ^ 7 = 0b010 -> bit 2 agrees
        // first above bitmask 0b11 -> AM 2: pfns 4..7 cover 5..7.
        assertEquals(2, DmarUnit.psiMask(0x5000, 0x7fff));
    }

    @Test
    void everyStreamIdIsServedOnItsSegmentsUnit() throws Exception {
        Rig r = new Rig(Seed.NONE, 0x10);
        // Segment 1, bus 0x80, devfn 0x08 (device 1, function 0): a second unit comes up.
        TestDevice other = new TestDevice("far", r.mem, r.alloc, 0x1_8008);
        assertTrue(r.driver.servesDevice(other));
        r.driver.probeDevice(other);
        IommuDomain d = r.driver.allocDomain(DomainType.DMA_FQ);
        assertEquals(0, d.attachDevice(other));
        long buf = r.buffer(1);
        assertEquals(0, d.map(0x7000, buf, 0x1000, RW));
        assertEquals(buf + 0x10, r.driver.translationPort(other).translate(0x1_8008, 0x7010,
                org.iommulab.api.platform.AccessType.READ));
        // The first device's domain does not see it.
        assertThrows(DmaFaultException.class, () -> r.read(0x7010));
    }

    @Test
    void identityAndBlockedDomainsAreNotOffered() {
        Rig r = new Rig(Seed.NONE, 0x10);
        assertNull(r.driver.allocDomain(DomainType.IDENTITY));
        assertNull(r.driver.allocDomain(DomainType.BLOCKED));
    }

    @Test
    void freeingTheDomainReturnsEveryTablePage() {
        Rig r = new Rig(Seed.NONE, 0x10);
        long buf = r.buffer(1);
        long before = r.alloc.allocatedBytes();
        IommuDomain d = r.driver.allocDomain(DomainType.DMA);
        // Two pages far apart (PML4 index 0 and 0xff): the PGD, then a PDPT, PD and PT for each:
        // 1 + 2 * 3 = 7 table pages.
        assertEquals(0, d.map(0x1000, buf, 0x1000, RW));
        assertEquals(0, d.map(0x7f80_0000_0000L, buf, 0x1000, RW));
        assertEquals(before + 7 * 4096, r.alloc.allocatedBytes());
        d.free();
        assertEquals(before, r.alloc.allocatedBytes());
    }

    @Test
    void detachClearsTheContextSoTheDeviceIsBlocked() {
        Rig r = new Rig(Seed.NONE, 0x10);
        long buf = r.buffer(1);
        assertEquals(0, r.domain.map(0x1000, buf, 0x1000, RW));
        r.read(0x1000);
        r.domain.detachDevice(r.dev);
        DmaFault f = assertThrows(DmaFaultException.class, () -> r.read(0x1000)).fault();
        assertEquals(FaultKind.DEVICE_ENTRY_INVALID, f.kind());
        assertEquals(2L, f.syndrome().get("FR"), "context entry P = 0");
        r.domain.free();
        assertEquals(IommuErrno.ENODEV, r.domain.attachDevice(r.dev));
    }

    @Test
    void hitsAndMissesAreCountedPerDomain() {
        Rig r = new Rig(Seed.NONE, 0x10);
        long buf = r.buffer(1);
        assertEquals(0, r.domain.map(0x1000, buf, 0x1000, RW));
        r.read(0x1000);
        r.read(0x1008);
        r.write(0x1010);
        assertEquals(1, r.domain.counter(BackendCounter.IOTLB_MISSES));
        assertEquals(2, r.domain.counter(BackendCounter.IOTLB_HITS));
        assertEquals(1, r.unmap(0x1000, 0x1000) / 0x1000);
        assertEquals(1, r.domain.counter(BackendCounter.IOTLB_INVALIDATIONS));
        assertFalse(r.hw.unitFor(0x10).iotlbHolds(1, 0x1000));
    }

    @Test
    void shutdownReturnsTheUnitsMemory() throws Exception {
        Rig r = new Rig(Seed.NONE, 0x10);
        r.domain.detachDevice(r.dev);
        r.domain.free();
        r.driver.releaseDevice(r.dev);
        r.driver.shutdown();
        assertEquals(0, r.alloc.allocatedBytes(), "root table, context table, queue and status freed");
    }
}
