package org.iommulab.api.iommu;

import org.iommulab.api.backend.BackendCounter;
import org.iommulab.api.backend.DmaDevice;
import org.osgi.annotation.versioning.ProviderType;

/**
 * An I/O address space, Linux {@code struct iommu_domain} with {@code iommu_domain_ops}. The
 * driver half writes page tables into simulated memory; the hardware model walks them.
 */
@ProviderType
public interface IommuDomain {
    DomainType type();

    /** Attaches a device probed by the same driver; 0 or a negative {@link IommuErrno}. */
    int attachDevice(DmaDevice device);

    /** Detaches a device (Linux attaches the blocking domain); its accesses fault afterwards. */
    void detachDevice(DmaDevice device);

    /**
     * Maps {@code [iova, iova+size)} to {@code paddr} with {@link IommuProt} bits; both ends
     * aligned to the smallest page size. Returns 0, {@link IommuErrno#EEXIST} when part is
     * already mapped, {@link IommuErrno#EINVAL} or {@link IommuErrno#ENOMEM}; on failure
     * nothing stays mapped.
     */
    int map(long iova, long paddr, long size, int prot);

    /**
     * Unmaps {@code [iova, iova+size)} and gathers the range for invalidation; returns the
     * bytes unmapped. Unmapping part of a larger block unmaps nothing and returns 0, as Linux
     * since v6.13 ("Unmap of a partial large IOPTE is not allowed").
     */
    long unmap(long iova, long size, IotlbGather gather);

    /** Invalidates what {@code gather} holds and waits for completion. */
    void iotlbSync(IotlbGather gather);

    /** Invalidates every IOTLB entry of this domain and waits ({@code flush_iotlb_all}). */
    void flushIotlbAll();

    /** The physical address {@code iova} maps to, or 0 when unmapped ({@code iova_to_phys}). */
    long iovaToPhys(long iova);

    /** Page sizes this domain maps with, one bit per size. */
    long pgsizeBitmap();

    /** First IOVA of the aperture ({@code geometry.aperture_start}). */
    long apertureStart();

    /** Last IOVA of the aperture, inclusive ({@code geometry.aperture_end}). */
    long apertureEnd();

    /** A hardware counter of this domain, or -1 if the model has none. */
    long counter(BackendCounter counter);

    /** Frees the domain and its tables; it must have no device attached. */
    void free();
}
