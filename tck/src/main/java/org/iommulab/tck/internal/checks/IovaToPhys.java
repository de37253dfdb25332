package org.iommulab.tck.internal.checks;

import static org.iommulab.tck.internal.Expect.hex;
import static org.iommulab.tck.internal.Expect.that;

import org.iommulab.api.iommu.IommuProt;
import org.iommulab.api.platform.AccessType;
import org.iommulab.api.platform.Zone;
import org.iommulab.tck.internal.Domain;
import org.iommulab.tck.internal.Iommu;
import org.iommulab.tck.internal.Rig;
import org.iommulab.tck.internal.TckDevice;

/** iova_to_phys answers for every byte of every mapped page, and 0 elsewhere. */
final class IovaToPhys extends RigCheck {
    static final long BLOCK = 2L << 20;

    IovaToPhys() {
        super("iova-to-phys", "iommu_iova_to_phys returns the physical address of every byte of every mapped page"
                + " (pages and blocks alike) and 0 for an IOVA that is not mapped, before and after unmap, agreeing with"
                + " what the device reaches. iommu-dma relies on it: its unmap looks the address up first and skips"
                + " the unmap when it gets 0 (iommu_dma_unmap_phys), leaving the mapping live.");
    }

    @Override
    String run(Rig rig) throws Exception {
        Iommu iommu = rig.iommu();
        TckDevice dev = iommu.probe("i2p");
        Domain d = iommu.domain();
        d.attach(dev);
        long g = d.granule();
        int prot = IommuProt.READ | IommuProt.WRITE | IommuProt.CACHE;
        long one = rig.pages(g / PAGE, Zone.NORMAL);
        long eight = rig.pages(8 * g / PAGE, Zone.NORMAL);
        long iova1 = d.iovaFor(16 * g, 16 * g);
        long iova8 = iova1 + 8 * g;
        d.map(iova1, one, g, prot);
        d.map(iova8, eight, 8 * g, prot);
        int looked = 0;
        looked += expectRange(d, iova1, one, g, g);
        looked += expectRange(d, iova8, eight, 8 * g, g);
        String block = "";
        if (d.hasPageSize(BLOCK) && rig.allocator.freeBytes(Zone.NORMAL) > 4 * BLOCK) {
            long phys = rig.pages(BLOCK / PAGE, Zone.NORMAL);
            if ((phys & (BLOCK - 1)) == 0) {
                long iovaB = d.iovaFor(BLOCK, BLOCK) + 4 * BLOCK;
                if (d.inAperture(iovaB, BLOCK)) {
                    d.map(iovaB, phys, BLOCK, prot);
                    looked += expectRange(d, iovaB, phys, BLOCK, g);
                    iommu.expectTranslation(dev, iovaB + BLOCK - 8, phys + BLOCK - 8, AccessType.READ,
                            "the last word of a 2 MiB block");
                    that(d.unmap(iovaB, BLOCK) == BLOCK, "unmapping the 2 MiB block did not unmap 2 MiB");
                    expectUnmapped(d, iovaB, BLOCK, g);
                    block = ", a 2 MiB block";
                }
            }
        }
        for (long iova : new long[] {iova1 + g, iova8 - g + 16, iova8 + 8 * g}) {
            long got = d.domain.iovaToPhys(iova);
            that(got == 0, () -> "iova_to_phys(" + hex(iova) + "), which is not mapped, returned " + hex(got));
        }
        for (int p = 0; p < 8; p += 7) {
            long off = p * g + 0x40;
            iommu.expectTranslation(dev, iova8 + off, eight + off, AccessType.READ, "page " + p + " of 8");
        }
        that(d.unmap(iova8, 8 * g) == 8 * g, "unmapping 8 pages did not unmap 8 pages");
        expectUnmapped(d, iova8, 8 * g, g);
        looked += expectRange(d, iova1, one, g, g);
        return "iova_to_phys right for " + looked + " addresses in a page, 8 pages" + block
                + ", 0 next to them and after unmap; the device reached the same addresses";
    }

    /** Looks up the start, middle and last word of every granule of the range. */
    private static int expectRange(Domain d, long iova, long phys, long size, long g) {
        int n = 0;
        for (long p = 0; p < size; p += g) {
            for (long off : new long[] {0, g / 2 + 8, g - 8}) {
                long at = iova + p + off;
                long want = phys + p + off;
                long got = d.domain.iovaToPhys(at);
                that(got == want, () -> "iova_to_phys(" + hex(at) + ") returned " + hex(got) + ", not " + hex(want)
                        + (got == 0 ? ": iommu-dma would skip the unmap of this mapping" : ""));
                n++;
            }
        }
        return n;
    }

    private static void expectUnmapped(Domain d, long iova, long size, long g) {
        for (long p = 0; p < size; p += g) {
            long at = iova + p;
            long got = d.domain.iovaToPhys(at);
            that(got == 0, () -> "iova_to_phys(" + hex(at) + ") after unmap returned " + hex(got) + ", not 0");
        }
    }
}
