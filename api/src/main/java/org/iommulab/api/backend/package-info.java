/**
 * The backend SPI: what a DMA backend bundle provides (Linux {@code struct dma_map_ops} plus
 * the device side of translation) and what the platform gives it for each attached device.
 */
@Export
@Version("1.3.0")
package org.iommulab.api.backend;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
