/**
 * The DMA-API checker's findings: Linux's {@code CONFIG_DMA_API_DEBUG} checks and more, each a
 * typed record reported to {@link org.iommulab.api.checker.FindingListener} services.
 */
@Export
@Version("1.2.0")
package org.iommulab.api.checker;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
