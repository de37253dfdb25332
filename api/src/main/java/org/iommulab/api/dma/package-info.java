/**
 * The DMA-mapping API a driver uses, modelled on Linux {@code include/linux/dma-mapping.h}
 * and {@code Documentation/core-api/dma-api.rst}.
 *
 * <p>A driver obtains one {@link org.iommulab.api.dma.DmaApi} service per device. Every call
 * goes through the platform's checker (the model of {@code CONFIG_DMA_API_DEBUG}) and then
 * through whichever backend the device is bound to: direct mapping, swiotlb bouncing or an
 * IOMMU. Drivers written against this package run unchanged on every backend.
 */
@Export
@Version("1.2.0")
package org.iommulab.api.dma;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
