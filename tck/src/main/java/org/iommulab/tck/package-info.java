/**
 * The conformance kit (TCK): the checks every DMA backend is held to, and a runner that runs
 * them against the backends registered in a running platform, one result per (check, backend).
 *
 * <p>{@link org.iommulab.tck.Tck#inFramework} opens the kit on a running OSGi framework that
 * holds the platform; {@link org.iommulab.tck.Tck#checks()} lists the checks;
 * {@link org.iommulab.tck.Tck#run} runs one against one backend and returns a
 * {@link org.iommulab.tck.CheckResult}; {@link org.iommulab.tck.JUnitXml} writes results as
 * the JUnit XML a CI server reads. The checks use the exported API only
 * ({@code org.iommulab.api.*}), so they hold a backend from any bundle to the same rules.
 */
@Export
@Version("1.0.0")
package org.iommulab.tck;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
