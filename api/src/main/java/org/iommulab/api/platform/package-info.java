/**
 * The simulated platform: physical memory and its page allocator, device descriptions, the
 * bus master through which a device reaches memory, and typed DMA faults.
 */
@Export
@Version("1.2.0")
package org.iommulab.api.platform;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
