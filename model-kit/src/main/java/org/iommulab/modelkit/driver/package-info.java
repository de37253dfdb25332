/**
 * Helpers for a hardware-model bundle's DS components: implementation aids, not contracts
 * (those stay in {@code org.iommulab.api}).
 */
@Export
@Version("1.1.0")
package org.iommulab.modelkit.driver;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
