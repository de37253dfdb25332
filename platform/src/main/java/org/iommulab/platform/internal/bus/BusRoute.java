package org.iommulab.platform.internal.bus;

import org.iommulab.api.backend.TranslationPort;
import org.iommulab.platform.internal.stats.StatCounters;

/**
 * Where a device's accesses go while it is bound to one backend: the backend's translation
 * port, its block size, and the counters of the device on that backend. Immutable; the swap
 * protocol replaces it.
 */
public final class BusRoute {
    final String backend;
    final TranslationPort port;
    final int pageShift;
    final StatCounters stats;

    public BusRoute(String backend, TranslationPort port, StatCounters stats) {
        if (backend == null || port == null || stats == null) {
            throw new IllegalArgumentException("a bus route needs a backend name, a port and counters");
        }
        int shift = port.pageShift();
        if (shift < 0 || shift > 62) {
            throw new IllegalArgumentException("backend " + backend + " reports translation block shift " + shift
                    + ", outside 0..62");
        }
        this.backend = backend;
        this.port = port;
        this.pageShift = shift;
        this.stats = stats;
    }

    public String backend() {
        return backend;
    }

    /** log2 of the backend's translation block (its IOMMU granule). */
    public int pageShift() {
        return pageShift;
    }
}
