package org.iommulab.platform.internal.dma;

import static org.iommulab.platform.internal.dma.CheckerFixture.PAGE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.iommulab.api.checker.Finding;
import org.iommulab.api.checker.FindingKind;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.dma.SgMiter;
import org.iommulab.api.dma.SgTable;
import org.iommulab.api.platform.MemoryAccess;
import org.junit.jupiter.api.Test;

/**
 * The sg entry rule: a CPU access that starts in entry i of an sg table and runs past that
 * entry's end is a finding whatever lies beyond, so the seed case's bug (DMA segment N read as
 * CPU entry N, PIO after dma_unmap_sg) is caught even when the bytes past the entry belong to a
 * live neighbour and no unallocated byte is touched.
 */
class CheckerSgEntryTest {
    private final CheckerFixture f = new CheckerFixture();
    private final MemoryAccess cpu = f.api.cpu();

    /** Two entries of one page each, with a live allocation right after each entry. */
    private long[] entriesWithNeighbours() {
        long a = f.pages(2);
        long b = f.pages(2);
        return new long[] {a, b};
    }

    @Test
    void aReadPastTheEntryIntoALiveNeighbourIsCaughtAfterTheUnmap() {
        long[] p = entriesWithNeighbours();
        SgTable sg = SgTable.of(p, new int[] {(int) PAGE, (int) PAGE});
        f.api.mapSg(sg, 2, DmaDirection.FROM_DEVICE, 0);
        f.api.unmapSg(sg, 2, DmaDirection.FROM_DEVICE, 0);
        f.none();
        // The seed bug: DMA segment 0 spans both entries; its PIO tail is read at entry 0 + offset.
        byte[] buf = new byte[(int) PAGE];
        cpu.read(sg.cpuPhys(0) + 2048, buf, 0, buf.length);
        Finding x = f.only(FindingKind.CPU_ACCESS_PAST_SG_ENTRY);
        assertEquals(String.format("DMA-API: dev0: cpu access runs past the end of the sg entry it started in [cpu read at 0x%x] "
                + "[len=4096] [sg entry 0 at 0x%x] [entry length=4096] [table unmapped]", p[0] + 2048, p[0]), x.message());
        cpu.read(sg.cpuPhys(1) + 2048, buf, 0, buf.length);
        f.none(); // one finding per table until it is mapped again
    }

    @Test
    void accessesInsideEntriesAndThroughAnSgMiterAreClean() {
        long[] p = entriesWithNeighbours();
        SgTable sg = SgTable.of(p, new int[] {(int) PAGE, (int) PAGE});
        f.api.mapSg(sg, 2, DmaDirection.TO_DEVICE, 0);
        f.api.unmapSg(sg, 2, DmaDirection.TO_DEVICE, 0);
        SgMiter m = new SgMiter(sg);
        m.skip(100);
        byte[] buf = new byte[(int) PAGE];
        while (m.next()) {
            cpu.read(m.phys(), buf, 0, m.length());
        }
        cpu.readLong(p[1] + PAGE - 8);
        f.none();
    }

    @Test
    void aWriteIntoTheNextEntryIsCaughtWhileMapped() {
        long base = f.pages(2);
        SgTable sg = SgTable.of(new long[] {base, base + PAGE}, new int[] {(int) PAGE, (int) PAGE});
        f.api.mapSg(sg, 2, DmaDirection.TO_DEVICE, 0);
        cpu.write(base + PAGE - 4, new byte[8], 0, 8);
        assertTrue(f.take().stream().anyMatch(x -> x.kind() == FindingKind.CPU_ACCESS_PAST_SG_ENTRY),
                "contiguous entries are still two entries");
    }

    @Test
    void memoryMappedAnewOrAReleasedDriverEndsTheTablesWatch() {
        long[] p = entriesWithNeighbours();
        SgTable sg = SgTable.of(p, new int[] {(int) PAGE, (int) PAGE});
        f.api.mapSg(sg, 2, DmaDirection.FROM_DEVICE, 0);
        f.api.unmapSg(sg, 2, DmaDirection.FROM_DEVICE, 0);
        // The same pages now serve a single mapping of two pages: a read across them is its own.
        long dma = f.map(p[0], 2 * PAGE, DmaDirection.TO_DEVICE);
        f.api.unmapPhys(dma, 2 * PAGE, DmaDirection.TO_DEVICE, 0);
        cpu.read(p[0], new byte[(int) (2 * PAGE)], 0, (int) (2 * PAGE));
        f.none();
    }

    /** The nvme pattern: a table's pages are freed, then come back as the next request's buffer with other entry lengths. */
    @Test
    void freedMemoryEndsTheWatchOfTheUnmappedTableOnIt() {
        long page = f.page();
        SgTable sg = SgTable.of(new long[] {page}, new int[] {3092});
        f.api.mapSg(sg, 1, DmaDirection.TO_DEVICE, 0);
        f.api.unmapSg(sg, 1, DmaDirection.TO_DEVICE, 0);
        f.platform.allocator().free(page);
        long again = f.page();
        assertEquals(page, again, "the allocator hands the page back");
        cpu.write(again, new byte[(int) PAGE], 0, (int) PAGE);
        f.none();
    }
}
