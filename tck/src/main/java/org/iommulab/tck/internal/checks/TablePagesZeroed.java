package org.iommulab.tck.internal.checks;

import static org.iommulab.tck.internal.Expect.hex;
import static org.iommulab.tck.internal.Expect.that;

import java.util.ArrayList;
import java.util.List;

import org.iommulab.api.iommu.IommuProt;
import org.iommulab.api.platform.AccessType;
import org.iommulab.api.platform.DmaFault;
import org.iommulab.api.platform.DmaFaultException;
import org.iommulab.api.platform.FaultKind;
import org.iommulab.api.platform.Zone;
import org.iommulab.tck.internal.Dirt;
import org.iommulab.tck.internal.Domain;
import org.iommulab.tck.internal.Iommu;
import org.iommulab.tck.internal.Rig;
import org.iommulab.tck.internal.TckDevice;

/** Page tables built on pages full of stale descriptors still translate nothing they do not map. */
final class TablePagesZeroed extends RigCheck {
    /** Bits that make a 64-bit word a valid table or page descriptor in ARM LPAE (stage 1 and 2) and VT-d. */
    static final long[] DESCRIPTOR_BITS = {0x403L, 0x4c3L};

    TablePagesZeroed() {
        super("table-pages-zeroed", "A page-table page is zeroed before the walker may see it (io-pgtable-arm's"
                + " __arm_lpae_alloc_pages with __GFP_ZERO; VT-d's alloc_pgtable_page): freed pages keep their old"
                + " contents, so a table built on a reused page full of valid-looking descriptors must still make"
                + " every IOVA it does not map fault as a translation fault, in the walker and in iova_to_phys.");
    }

    @Override
    String run(Rig rig) throws Exception {
        Iommu iommu = rig.iommu();
        TckDevice dev = iommu.probe("zeroed");
        long g0 = Long.lowestOneBit(iommu.driver.pgsizeBitmap());
        long target = rig.pages(Math.max(1, g0 / PAGE), Zone.NORMAL);
        // The bait: where a stale descriptor points. It holds the same descriptors (pointing to
        // itself), so a walk through stale entries ends at a valid-looking leaf on it.
        long bait = rig.pages(512, Zone.NORMAL);
        List<Long> words = new ArrayList<>();
        words.add(-1L);
        for (long bits : DESCRIPTOR_BITS) {
            words.add(bait | bits);
        }
        int reused = 0;
        int dirtied = 0;
        int probes = 0;
        // Each round maps another IOVA and probes the others' too: a driver that keeps table
        // pages in a pool of its own, out of the allocator's reach, and reuses them unzeroed
        // shows an earlier round's mapping in a later round's domain.
        List<Long> earlier = new ArrayList<>();
        for (long word : words) {
            fill(rig, bait, word);
            List<Long> dirty = Dirt.dirty(rig.allocator, rig.memory, word);
            dirtied += dirty.size();
            Domain d = iommu.domain();
            try {
                d.attach(dev);
                long g = d.granule();
                long iova = d.iovaFor(g, 1L << 21) + (1L << 21) - 2 * g + earlier.size() * ((1L << 21) + 4 * g);
                d.map(iova, target, g, IommuProt.READ | IommuProt.WRITE | IommuProt.CACHE);
                reused += Dirt.reused(rig.allocator, dirty);
                iommu.expectTranslation(dev, iova + 8, target + 8, AccessType.READ, "the one mapped page");
                List<Long> unmapped = probes(d, iova, g);
                for (long e : earlier) {
                    if (d.inAperture(e, g)) {
                        unmapped.add(e);
                    }
                }
                for (long at : unmapped) {
                    expectUnmapped(iommu, d, dev, at, word, bait);
                    probes++;
                }
                earlier.add(iova);
                d.unmap(iova, g);
                d.detach(dev);
            } catch (RuntimeException e) {
                throw new AssertionError("with free pages full of " + hex(word) + " (descriptors pointing to " + hex(bait)
                        + "), the driver or its walker threw " + e + ": the table page was not zeroed before use, and"
                        + " the walk followed a stale descriptor", e);
            }
            d.free();
        }
        return words.size() + " rounds over " + dirtied + " dirtied free pages and blocks (" + reused + " reused by the"
                + " driver), a new domain each mapping one page: each of " + probes + " unmapped IOVAs (around it, and"
                + " the pages earlier rounds mapped) faulted as TRANSLATION and iova_to_phys gave 0";
    }

    /** IOVAs the domain does not map, in the same leaf table as the mapped page and in tables above it. */
    private static List<Long> probes(Domain d, long iova, long g) {
        List<Long> out = new ArrayList<>();
        long[] deltas = {g, -g, 3 * g, 1L << 21, -(1L << 21), 1L << 30, 1L << 39, 5L << 39};
        for (long delta : deltas) {
            long at = iova + delta;
            if (d.inAperture(at, g)) {
                out.add(at);
            }
        }
        long start = (d.domain.apertureStart() + 2 * g - 1) & -g;
        if (d.inAperture(start, g) && Math.abs(start - iova) > g) {
            out.add(start);
        }
        long end = (d.domain.apertureEnd() & -g) - g;
        if (d.inAperture(end, g) && Math.abs(end - iova) > g) {
            out.add(end);
        }
        return out;
    }

    private static void expectUnmapped(Iommu iommu, Domain d, TckDevice dev, long at, long word, long bait) {
        String stale = "the table page under IOVA " + hex(at) + " was not zeroed before use (free pages held " + hex(word)
                + ", descriptors pointing to " + hex(bait) + ")";
        long phys = d.domain.iovaToPhys(at);
        that(phys == 0, () -> "iova_to_phys(" + hex(at) + "), which is not mapped, returned " + hex(phys) + ": " + stale);
        try {
            long got = iommu.translate(dev, at, AccessType.READ);
            throw new AssertionError("a read at IOVA " + hex(at) + ", which is not mapped, reached " + hex(got) + ": "
                    + stale);
        } catch (DmaFaultException e) {
            DmaFault f = e.fault();
            that(f != null && f.kind() == FaultKind.TRANSLATION, () -> "a read at IOVA " + hex(at) + ", which is not"
                    + " mapped, faulted as " + (f == null ? "?" : f.kind()) + " instead of TRANSLATION (" + f + "): "
                    + stale);
        }
    }

    /** The bait's first 64 KiB: enough for a table of any granule. */
    private static void fill(Rig rig, long bait, long word) {
        for (long off = 0; off < 64 * 1024; off += 8) {
            rig.memory.writeLong(bait + off, word);
        }
    }
}
