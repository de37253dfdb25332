/**
 * The workloads of the simulated devices: each driver of the devices bundle registers a
 * {@link org.iommulab.devices.Workload} service for the device it drives, so that the main
 * job, the shell and the tests can run its DMA pattern on whatever backend the device is bound
 * to now and read a {@link org.iommulab.devices.WorkloadReport}.
 */
@Export
@Version("1.1.0")
package org.iommulab.devices;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
