package org.iommulab.platform.internal.core;

import org.iommulab.api.backend.DeviceBinding;
import org.iommulab.api.backend.DmaOps;
import org.iommulab.platform.internal.bus.BusRoute;
import org.iommulab.platform.internal.stats.StatCounters;

/** A device attached to one backend: the binding, its ops, the counters and the bus route. Immutable. */
final class Attachment {
    final BackendEntry backend;
    final DeviceBinding binding;
    final DmaOps ops;
    final StatCounters stats;
    final BusRoute route;

    Attachment(BackendEntry backend, DeviceBinding binding, DmaOps ops, StatCounters stats, BusRoute route) {
        this.backend = backend;
        this.binding = binding;
        this.ops = ops;
        this.stats = stats;
        this.route = route;
    }
}
