package org.iommulab.platform.internal.dma;

import static org.iommulab.platform.internal.dma.CheckerFixture.PAGE;
import static org.iommulab.platform.internal.dma.CheckerFixture.assertFinding;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.iommulab.api.admin.Stat;
import org.iommulab.api.checker.FindingKind;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.dma.SgTable;
import org.iommulab.platform.internal.checker.CheckerSettings;
import org.junit.jupiter.api.Test;

/**
 * Sub-page exposure (beyond Linux): on an isolating backend, the bytes of other live allocations
 * that share a mapping's first or last granule are counted in EXPOSED_BYTES and reported once
 * per mapping; on a backend without isolation nothing is measured.
 */
class CheckerExposureTest {
    private static final DmaDirection TO = DmaDirection.TO_DEVICE;

    private static CheckerFixture isolating(int granuleShift) {
        return new CheckerFixture(CheckerSettings.DEFAULT, CheckerFixture.device().build(), true, granuleShift);
    }

    private static long exposed(CheckerFixture f) {
        return f.platform.stats("dev0").get(Stat.EXPOSED_BYTES);
    }

    @Test
    void aKmallocBufferExposesItsSlabNeighbours() {
        CheckerFixture f = isolating(12);
        long a = f.kmalloc(64);
        long b = f.kmalloc(64);
        long c = f.kmalloc(128);
        assertEquals(a & -PAGE, b & -PAGE);
        assertEquals(false, (a & -PAGE) == (c & -PAGE), "each size class has its own slab pages");
        long dma = f.map(a, 64, TO);
        assertFinding(f.only(FindingKind.SUB_PAGE_EXPOSURE), FindingKind.SUB_PAGE_EXPOSURE, dma, 64, TO,
                String.format(" [device address=0x%016x] [size=64 bytes] [exposed=64 bytes] [granule=4096 bytes]", dma));
        assertEquals(64, exposed(f));
    }

    @Test
    void wholePagesAndPartsOfTheBuffersOwnAllocationExposeNothing() {
        CheckerFixture f = isolating(12);
        long p = f.pages(2);
        f.map(p, 2 * PAGE, TO);
        f.map(p + 100, 300, TO);
        f.none();
        assertEquals(0, exposed(f));
    }

    @Test
    void aLargerGranuleExposesNeighbouringPageAllocations() {
        CheckerFixture f = isolating(16);
        long p1 = f.page();
        long p2 = f.page();
        assertEquals(p1 >>> 16, p2 >>> 16, "both in one 64 KiB granule");
        f.map(p1, PAGE, TO);
        assertEquals(" [exposed=4096 bytes] [granule=65536 bytes]",
                f.only(FindingKind.SUB_PAGE_EXPOSURE).message().replaceAll(".*(\\ \\[exposed.*)", "$1"));
        assertEquals(PAGE, exposed(f));
    }

    @Test
    void anSgTableCountsAGranuleItsEntriesShareOnce() {
        CheckerFixture f = isolating(12);
        long a = f.kmalloc(256);
        long b = f.kmalloc(256);
        long other = f.kmalloc(256);
        assertEquals(a & -PAGE, other & -PAGE);
        SgTable sg = SgTable.of(new long[] {a, b}, new int[] {256, 256});
        f.api.mapSgtable(sg, TO, 0);
        f.only(FindingKind.SUB_PAGE_EXPOSURE);
        assertEquals(256, exposed(f), "the other object once; the table's own entries never");
    }

    @Test
    void withoutIsolationNothingIsMeasured() {
        CheckerFixture f = new CheckerFixture();
        long a = f.kmalloc(64);
        f.kmalloc(64);
        f.map(a, 64, TO);
        f.none();
        assertEquals(0, exposed(f));
    }
}
