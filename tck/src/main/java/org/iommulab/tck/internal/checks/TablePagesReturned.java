package org.iommulab.tck.internal.checks;

import static org.iommulab.tck.internal.Expect.that;

import java.util.ArrayList;
import java.util.List;

import org.iommulab.api.iommu.IommuProt;
import org.iommulab.api.platform.Zone;
import org.iommulab.tck.internal.Domain;
import org.iommulab.tck.internal.Iommu;
import org.iommulab.tck.internal.Rig;
import org.iommulab.tck.internal.TckDevice;

/** A domain's whole life leaves the page allocator as it found it. */
final class TablePagesReturned extends RigCheck {
    TablePagesReturned() {
        super("table-pages-returned", "Freeing a domain frees every page of its page tables (iommu_domain_free ->"
                + " free_io_pgtable_ops, __arm_lpae_free_pgtable; VT-d's domain_exit frees the page-table pages): over"
                + " a domain's life (allocate, attach, map pages that need tables at every level, unmap, detach, free)"
                + " the platform's page allocator ends with the bytes it started with.");
    }

    @Override
    String run(Rig rig) throws Exception {
        Iommu iommu = rig.iommu();
        TckDevice dev = iommu.probe("tables");
        long page = rig.pages(16, Zone.NORMAL);
        // The first life may allocate what the driver keeps for the stream or the IOMMU (a
        // level-2 stream table, a context table), and is not measured.
        life(rig, iommu, dev, page);
        List<Long> leaks = new ArrayList<>();
        long peak = 0;
        for (int i = 0; i < 2; i++) {
            long before = rig.allocator.allocatedBytes();
            long grew = life(rig, iommu, dev, page) - before;
            peak = Math.max(peak, grew);
            long leaked = rig.allocator.allocatedBytes() - before;
            if (leaked == 0) {
                return "a domain's life (alloc, attach, map at " + MAPPED + " IOVAs, unmap, detach, free) allocated "
                        + (grew / PAGE) + " page(s) of tables and returned them all";
            }
            leaks.add(leaked);
        }
        long grewMost = peak;
        throw new AssertionError("the platform's allocator holds " + leaks.get(0) + " more bytes after a domain's life,"
                + " and " + leaks.get(1) + " more after the next (its tables took " + grewMost + " bytes): the freed"
                + " domain did not return its page-table pages");
    }

    static final int MAPPED = 5;

    /** Allocates, attaches, maps, unmaps, detaches and frees a domain; returns allocatedBytes at its fullest. */
    private static long life(Rig rig, Iommu iommu, TckDevice dev, long page) {
        Domain d = iommu.domain();
        d.attach(dev);
        long g = d.granule();
        int prot = IommuProt.READ | IommuProt.WRITE;
        long base = d.iovaFor(g, 1L << 21);
        long[] iovas = {base, base + (1L << 21), base + (1L << 30), base + (1L << 39), base + g};
        List<Long> mapped = new ArrayList<>();
        for (long iova : iovas) {
            if (d.inAperture(iova, g) && !mapped.contains(iova)) {
                d.map(iova, page, g, prot);
                mapped.add(iova);
            }
        }
        that(mapped.size() >= 2, "the aperture holds fewer than 2 of the IOVAs the check maps");
        long full = rig.allocator.allocatedBytes();
        for (long iova : mapped) {
            that(d.unmap(iova, g) == g, "unmapping one page did not unmap a page");
        }
        d.detach(dev);
        d.free();
        return full;
    }
}
