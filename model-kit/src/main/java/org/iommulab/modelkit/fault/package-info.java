/**
 * Faults inside a hardware model: {@link org.iommulab.modelkit.fault.ModelFault}, the typed
 * fault a decoder or walker raises with the platform's kind and origin and the architecture's
 * own code, level and addresses, for the model to record and report. The kinds themselves are
 * {@link org.iommulab.api.platform.FaultKind}: the platform reports them.
 */
@Export
@Version("1.0.0")
package org.iommulab.modelkit.fault;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
