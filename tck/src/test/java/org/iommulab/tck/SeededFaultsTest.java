package org.iommulab.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.iommulab.api.platform.MemoryRegion;
import org.iommulab.api.platform.PhysicalMemory;
import org.iommulab.platform.internal.memory.SparsePhysicalMemory;
import org.junit.jupiter.api.Test;

/**
 * The faults issue 12 says went unnoticed, seeded into the generic IOMMU: each must fail the
 * check that is there for it.
 */
class SeededFaultsTest {
    @Test
    void tablePagesLeakedWhenADomainIsFreed() {
        CheckResult r = run(new TckHarness().generic(d -> new BrokenDriver(d, BrokenDriver.Fault.LEAK_TABLES)),
                "table-pages-returned");
        assertEquals(CheckResult.Status.FAILED, r.status(), r.toString());
        assertTrue(r.reason().contains("did not return its page-table pages"), r.reason());
    }

    @Test
    void onlyTheFirstPageOfAMultiPageRangeInvalidated() {
        TckHarness h = new TckHarness().generic(d -> new BrokenDriver(d, BrokenDriver.Fault.FIRST_PAGE_ONLY));
        CheckResult partial = run(h, "partial-invalidation");
        assertEquals(CheckResult.Status.FAILED, partial.status(), partial.toString());
        assertTrue(partial.reason().contains("page 3"), partial.reason());
        CheckResult multi = run(h, "multi-page-invalidation");
        assertEquals(CheckResult.Status.FAILED, multi.status(), multi.toString());
    }

    @Test
    void tablePagesNotZeroedBeforeUse() {
        TckHarness h = new TckHarness(new NoZeroFill(SparsePhysicalMemory.defaultLayout())).generic();
        CheckResult r = run(h, "table-pages-zeroed");
        assertEquals(CheckResult.Status.FAILED, r.status(), r.toString());
        assertTrue(r.reason().contains("was not zeroed before use"), r.reason());
    }

    @Test
    void iovaToPhysThatAnswersZeroForMappedPages() {
        CheckResult r = run(new TckHarness().generic(d -> new BrokenDriver(d, BrokenDriver.Fault.IOVA_TO_PHYS_ZERO)),
                "iova-to-phys");
        assertEquals(CheckResult.Status.FAILED, r.status(), r.toString());
        assertTrue(r.reason().contains("iommu-dma would skip the unmap"), r.reason());
    }

    @Test
    void theSameChecksPassOnTheUnbrokenDriver() {
        TckHarness h = new TckHarness().generic();
        for (String id : List.of("table-pages-returned", "partial-invalidation", "multi-page-invalidation",
                "table-pages-zeroed", "iova-to-phys")) {
            CheckResult r = run(h, id);
            assertEquals(CheckResult.Status.PASSED, r.status(), r.toString());
        }
    }

    private static CheckResult run(TckHarness h, String check) {
        CheckResult r = h.tck().run(Tck.check(check), "generic");
        if (r.failed()) {
            System.out.println("seeded fault caught: " + r);
        }
        return r;
    }

    /** Physical memory that ignores zero fills: the table writer's zeroing of a new table page does nothing. */
    static final class NoZeroFill implements PhysicalMemory {
        private final PhysicalMemory m;

        NoZeroFill(PhysicalMemory m) {
            this.m = m;
        }

        @Override
        public void fill(long addr, long len, byte value) {
            if (value != 0) {
                m.fill(addr, len, value);
            }
        }

        @Override
        public List<MemoryRegion> regions() {
            return m.regions();
        }

        @Override
        public boolean isRam(long addr, long len) {
            return m.isRam(addr, len);
        }

        @Override
        public void copy(long src, long dst, long len) {
            m.copy(src, dst, len);
        }

        @Override
        public long backedBytes() {
            return m.backedBytes();
        }

        @Override
        public byte readByte(long addr) {
            return m.readByte(addr);
        }

        @Override
        public void writeByte(long addr, byte value) {
            m.writeByte(addr, value);
        }

        @Override
        public int readInt(long addr) {
            return m.readInt(addr);
        }

        @Override
        public void writeInt(long addr, int value) {
            m.writeInt(addr, value);
        }

        @Override
        public long readLong(long addr) {
            return m.readLong(addr);
        }

        @Override
        public void writeLong(long addr, long value) {
            m.writeLong(addr, value);
        }

        @Override
        public void read(long addr, byte[] dst, int off, int len) {
            m.read(addr, dst, off, len);
        }

        @Override
        public void write(long addr, byte[] src, int off, int len) {
            m.write(addr, src, off, len);
        }
    }
}
