/**
 * The swiotlb bounce-buffer pool as a service, Linux {@code kernel/dma/swiotlb.c}: other
 * backends (iommu-dma for untrusted devices' unaligned buffers) bounce through it.
 */
@Export
@Version("1.0.0")
package org.iommulab.api.swiotlb;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
