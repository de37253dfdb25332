package com.example.vtd.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;

import org.iommulab.api.iommu.DomainType;
import org.iommulab.api.iommu.IommuDomain;
import org.iommulab.api.iommu.IommuErrno;
import org.iommulab.api.iommu.IommuProt;
import org.iommulab.api.platform.DmaFault;
import org.iommulab.api.platform.DmaFaultException;
import org.iommulab.api.platform.FaultKind;
import org.iommulab.api.platform.Zone;
import org.junit.jupiter.api.Test;

import com.example.vtd.internal.format.VtdRegs;
import com.example.vtd.support.Rig;

/**
 * Each seeded fault is real: the same scenario, run on the correct model and on the seeded
 * one, observed directly in the model (memory, IOTLB, fault records, reports), differs exactly
 * as the seed says. These are the bugs {@code run-seeded} expects the TCK to catch.
 */
class SeedsTest {
    private static final int RW = IommuProt.READ | IommuProt.WRITE;
    private static final int SID = 0x0321;

    @Test
    void everySeedHasAScenarioHere() {
        assertEquals(List.of("leak-tables", "first-page-only", "dirty-tables", "ignore-write", "sid-tag",
                "wait-before-inval", "fault-twice", "fault-lost"),
                Arrays.stream(Seed.values()).filter(s -> s != Seed.NONE).map(Seed::id).toList());
    }

    @Test
    void seedsAreSelectedByName() {
        assertEquals(Seed.NONE, Seed.parse(null));
        assertEquals(Seed.NONE, Seed.parse(""));
        assertEquals(Seed.SID_TAG, Seed.parse("sid-tag"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Seed.parse("typo"));
        assertTrue(e.getMessage().contains("leak-tables, first-page-only"), e.getMessage());
    }

    /** Bytes still allocated after a domain that mapped two distant pages is freed. */
    private static long leakedByADomain(Seed seed) {
        Rig r = new Rig(seed, SID);
        long buf = r.buffer(1);
        long before = r.alloc.allocatedBytes();
        IommuDomain d = r.driver.allocDomain(DomainType.DMA);
        assertEquals(0, d.map(0x1000, buf, 0x1000, RW));
        assertEquals(0, d.map(0x7f80_0000_0000L, buf, 0x1000, RW));
        d.free();
        return r.alloc.allocatedBytes() - before;
    }

    @Test
    void leakTables() {
        assertEquals(0, leakedByADomain(Seed.NONE));
        // PGD + 2 x (PDPT, PD, PT) were allocated; only the PGD is returned.
        assertEquals(6 * 4096, leakedByADomain(Seed.LEAK_TABLES));
    }

    /** Strict unmap of two pages whose translations are cached, then a read of the second. */
    private static boolean secondPageStillReachable(Seed seed) {
        Rig r = new Rig(seed, SID);
        long buf = r.buffer(2);
        assertEquals(0, r.domain.map(0x10000, buf, 0x2000, RW));
        r.read(0x10000);
        r.read(0x11000);
        assertEquals(0x2000, r.unmap(0x10000, 0x2000));
        assertThrows(DmaFaultException.class, () -> r.read(0x10000), "the first page is always invalidated");
        try {
            r.read(0x11000);
            return true;
        } catch (DmaFaultException e) {
            return false;
        }
    }

    @Test
    void firstPageOnly() {
        assertFalse(secondPageStillReachable(Seed.NONE));
        assertTrue(secondPageStillReachable(Seed.FIRST_PAGE_ONLY), "a stale IOTLB entry serves the unmapped page");
    }

    @Test
    void dirtyTables() {
        for (Seed seed : new Seed[] {Seed.NONE, Seed.DIRTY_TABLES}) {
            Rig r = new Rig(seed, SID);
            // Pages that held data and were freed: the allocator hands them back unzeroed.
            long[] used = new long[8];
            for (int i = 0; i < used.length; i++) {
                used[i] = r.alloc.allocPages(1, Zone.NORMAL);
                r.mem.fill(used[i], 4096, (byte) 0xa5);
            }
            for (long p : used) {
                r.alloc.free(p);
            }
            IommuDomain d = r.driver.allocDomain(DomainType.DMA);
            long buf = r.buffer(1);
            int rc = d.map(0x1000, buf, 0x1000, RW);
            if (seed == Seed.NONE) {
                assertEquals(0, rc);
            } else {
                // The PGD reads as 512 copies of 0xa5a5a5a5a5a5a5a5: R = 1 and PS = 1, "already mapped".
                assertEquals(IommuErrno.EEXIST, rc);
            }
        }
        // And what the hardware makes of such a table: the level-4 entry 0xa5a5...a5 is present
        // (R = 1) with PS and high bits set, reserved at level 4: reason Ch, not a translation fault.
        Rig r = new Rig(Seed.DIRTY_TABLES, SID);
        long dirty = r.alloc.allocPages(1, Zone.NORMAL);
        r.mem.fill(dirty, 4096, (byte) 0xa5);
        r.alloc.free(dirty);
        IommuDomain d = r.driver.allocDomain(DomainType.DMA);
        r.domain.detachDevice(r.dev);
        assertEquals(0, d.attachDevice(r.dev));
        DmaFault f = assertThrows(DmaFaultException.class, () -> r.read(0x5000)).fault();
        assertEquals(0xcL, f.syndrome().get("FR"));
        assertEquals(FaultKind.BAD_CONFIG, f.kind());
    }

    /** A device write to a read-only mapping: null when it was refused, else where it went. */
    private static Long writeToReadOnly(Seed seed) {
        Rig r = new Rig(seed, SID);
        long buf = r.buffer(1);
        assertEquals(0, r.domain.map(0x3000, buf, 0x1000, IommuProt.READ));
        try {
            return r.write(0x3000);
        } catch (DmaFaultException e) {
            assertEquals(FaultKind.PERMISSION, e.fault().kind());
            return null;
        }
    }

    @Test
    void ignoreWrite() {
        assertEquals(null, writeToReadOnly(Seed.NONE));
        assertTrue(writeToReadOnly(Seed.IGNORE_WRITE) != null, "the device wrote a read-only page");
    }

    /** Map, read, strict unmap, read again: true when the last read still translated. */
    private static boolean reachableAfterStrictUnmap(Rig r) {
        long buf = r.buffer(1);
        // One unrelated strict unmap first, so that what an earlier batch left queued (the
        // driver's global invalidation at start-up) has run by the time the unmap below syncs.
        assertEquals(0, r.domain.map(0x90000, buf, 0x1000, RW));
        assertEquals(0x1000, r.unmap(0x90000, 0x1000));
        assertEquals(0, r.domain.map(0x20000, buf, 0x1000, RW));
        r.read(0x20000);
        assertEquals(0x1000, r.unmap(0x20000, 0x1000));
        try {
            r.read(0x20000);
            return true;
        } catch (DmaFaultException e) {
            return false;
        }
    }

    @Test
    void sidTag() {
        assertFalse(reachableAfterStrictUnmap(new Rig(Seed.NONE, SID)));
        Rig r = new Rig(Seed.SID_TAG, SID);
        assertTrue(reachableAfterStrictUnmap(r), "the PSI for the domain's DID missed the entry");
        // The entry is tagged with the source-id 0x0321, not the domain ID (1).
        assertTrue(r.hw.unitFor(SID).iotlbHolds(SID, 0x20000));
        assertFalse(r.hw.unitFor(SID).iotlbHolds(1, 0x20000));
    }

    @Test
    void waitBeforeInval() {
        assertFalse(reachableAfterStrictUnmap(new Rig(Seed.NONE, SID)));
        Rig r = new Rig(Seed.WAIT_BEFORE_INVAL, SID);
        assertTrue(reachableAfterStrictUnmap(r), "qi_submit_sync returned before the PSI ran");
        // The held-back PSI runs at the next tail write.
        r.domain.flushIotlbAll();
        assertThrows(DmaFaultException.class, () -> r.read(0x20000));
    }

    /** One access to an unmapped page: the faults the device got. */
    private static List<DmaFault> faultsForOneBadAccess(Seed seed) {
        Rig r = new Rig(seed, SID);
        assertThrows(DmaFaultException.class, () -> r.write(0x9000));
        return r.dev.faults;
    }

    @Test
    void faultTwice() {
        assertEquals(1, faultsForOneBadAccess(Seed.NONE).size());
        assertEquals(2, faultsForOneBadAccess(Seed.FAULT_TWICE).size());
    }

    @Test
    void faultLost() {
        for (Seed seed : new Seed[] {Seed.NONE, Seed.FAULT_LOST}) {
            Rig r = new Rig(seed, SID);
            long buf = r.buffer(1);
            assertEquals(0, r.domain.map(0x3000, buf, 0x1000, IommuProt.READ));
            r.read(0x3000); // the IOTLB now holds the read-only translation
            assertThrows(DmaFaultException.class, () -> r.write(0x3000));
            int expected = seed == Seed.NONE ? 1 : 0;
            assertEquals(expected, r.dev.faults.size(), seed + ": faults reported");
            assertEquals(expected, r.dev.warnings.size(), seed + ": fault records the handler found");
            assertEquals(0, r.hw.unitFor(SID).readReg(VtdRegs.FSTS.offset()));
        }
    }
}
