package org.iommulab.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.iommulab.api.platform.PhysicalMemory;
import org.iommulab.platform.internal.memory.SparsePhysicalMemory;
import org.iommulab.testkit.ForwardingPhysicalMemory;
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
    static final class NoZeroFill extends ForwardingPhysicalMemory {
        NoZeroFill(PhysicalMemory m) {
            super(m);
        }

        @Override
        public void fill(long addr, long len, byte value) {
            if (value != 0) {
                inner.fill(addr, len, value);
            }
        }
    }
}
