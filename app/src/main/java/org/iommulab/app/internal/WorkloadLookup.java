package org.iommulab.app.internal;

import java.util.Map;

import org.iommulab.devices.Workload;

/** Where the main job finds the drivers' workloads: the service registry, or a test's own drivers. */
interface WorkloadLookup {
    /** Every workload registered now, by name (one instance each, whatever its backend). */
    Map<String, Workload> present();

    /**
     * The workload {@code name} whose driver is bound to {@code backend}, waiting briefly for it
     * after a swap (the driver is created again); null when it does not appear.
     */
    Workload await(String name, String backend);
}
