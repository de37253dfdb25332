/**
 * The IOMMU-driver SPI, Linux {@code struct iommu_ops} and {@code struct iommu_domain_ops} in
 * shape. A hardware-model bundle registers an {@link org.iommulab.api.iommu.IommuDriver}
 * service; the generic IOMMU layer (iommu-dma) turns each one into a DMA backend of the same
 * name, with its IOVA allocator, scatterlist merging and flush policy.
 */
@Export
@Version("1.3.0")
package org.iommulab.api.iommu;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
