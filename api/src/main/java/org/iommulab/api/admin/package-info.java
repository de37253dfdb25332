/**
 * Administration of the running platform: devices and their bindings, backends, swaps,
 * statistics and faults. Used by the shell, the main job and the conformance suite.
 */
@Export
@Version("1.5.0")
package org.iommulab.api.admin;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
