package org.iommulab.tck.internal;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.iommulab.api.backend.DmaDevice;
import org.iommulab.api.iommu.IommuDomain;
import org.iommulab.api.iommu.IotlbGather;

/**
 * A domain a check allocated, with what it mapped and attached, so that closing it undoes
 * everything as iommu-dma does when a device leaves (unmap, sync, detach, free).
 */
public final class Domain {
    public final IommuDomain domain;
    private final String driver;
    private final Set<DmaDevice> attached = new LinkedHashSet<>();
    private final List<long[]> mapped = new ArrayList<>();
    private boolean freed;

    Domain(IommuDomain domain, String driver) {
        this.domain = domain;
        this.driver = driver;
    }

    /** The smallest page size, the IOVA granule iommu-dma would use. */
    public long granule() {
        return Long.lowestOneBit(domain.pgsizeBitmap());
    }

    /** Whether the domain maps with pages of {@code size}. */
    public boolean hasPageSize(long size) {
        return (domain.pgsizeBitmap() & size) != 0;
    }

    public void attach(DmaDevice dev) {
        int rc = domain.attachDevice(dev);
        Expect.that(rc == 0, () -> driver + ": attaching " + dev.name() + " to a new DMA domain returned " + rc);
        attached.add(dev);
    }

    public void detach(DmaDevice dev) {
        domain.detachDevice(dev);
        attached.remove(dev);
    }

    /** Maps, which must succeed ({@code iommu_map}). */
    public void map(long iova, long phys, long size, int prot) {
        int rc = domain.map(iova, phys, size, prot);
        Expect.that(rc == 0, () -> driver + ": map of IOVA " + Expect.hex(iova) + "+" + Expect.hex(size) + " to "
                + Expect.hex(phys) + " returned " + rc);
        mapped.add(new long[] {iova, size});
    }

    /**
     * Unmaps {@code [iova, iova+size)} in one call and syncs the gathered range, as iommu-dma's
     * strict unmap does ({@code __iommu_dma_unmap}); returns the bytes the domain unmapped.
     */
    public long unmap(long iova, long size) {
        IotlbGather g = new IotlbGather();
        long n = domain.unmap(iova, size, g);
        domain.iotlbSync(g);
        mapped.removeIf(r -> r[0] == iova && r[1] == size);
        return n;
    }

    /**
     * An IOVA for {@code bytes} inside the aperture, aligned to {@code align} (at least the
     * granule): at 1 GiB when the aperture reaches that far, else just above its start.
     */
    public long iovaFor(long bytes, long align) {
        long a = Math.max(align, granule());
        long start = domain.apertureStart();
        long end = domain.apertureEnd();
        long base = Math.max(1L << 30, start);
        base = (base + a - 1) & -a;
        if (Long.compareUnsigned(base + bytes - 1, end) <= 0 && Long.compareUnsigned(base, start) >= 0) {
            return base;
        }
        base = (start + a + a - 1) & -a;
        long b = base;
        Expect.that(Long.compareUnsigned(b + bytes - 1, end) <= 0, () -> driver + ": the aperture ["
                + Expect.hex(start) + ", " + Expect.hex(end) + "] has no room for " + bytes + " bytes");
        return base;
    }

    /** Whether {@code [iova, iova+bytes)} lies in the aperture. */
    public boolean inAperture(long iova, long bytes) {
        long last = iova + bytes - 1;
        return Long.compareUnsigned(last, iova) >= 0 && Long.compareUnsigned(iova, domain.apertureStart()) >= 0
                && Long.compareUnsigned(last, domain.apertureEnd()) <= 0;
    }

    /** Unmaps what is still mapped, detaches every device, frees the domain. Idempotent. */
    void close() {
        if (freed) {
            return;
        }
        freed = true;
        for (long[] r : new ArrayList<>(mapped)) {
            IotlbGather g = new IotlbGather();
            domain.unmap(r[0], r[1], g);
            domain.iotlbSync(g);
        }
        mapped.clear();
        for (DmaDevice d : new ArrayList<>(attached)) {
            domain.detachDevice(d);
        }
        attached.clear();
        domain.free();
    }

    /** Frees the domain now (its devices detached, its mappings unmapped). */
    public void free() {
        close();
    }
}
