package org.iommulab.platform.internal.core;

import java.util.concurrent.CopyOnWriteArrayList;

import org.iommulab.api.admin.MappingListener;
import org.iommulab.api.platform.SimClock;

/**
 * The platform's {@link MappingListener}s (whiteboard), told by each device's live-mapping
 * table. A listener that throws is logged once per call and does not stop the others or the
 * DMA-API call that caused it.
 */
final class MappingListeners {
    private final CopyOnWriteArrayList<MappingListener> listeners = new CopyOnWriteArrayList<>();
    private final SimClock clock;

    MappingListeners(SimClock clock) {
        this.clock = clock;
    }

    void add(MappingListener l) {
        listeners.addIfAbsent(l);
    }

    void remove(MappingListener l) {
        listeners.remove(l);
    }

    /** The observer of {@code d}'s table: names the device and its backend now, stamps the simulated time. */
    org.iommulab.platform.internal.dma.LiveMappings.Observer observerFor(PlatformDevice d) {
        return (live, dmaAddr, size) -> {
            if (listeners.isEmpty()) {
                return;
            }
            BackendEntry b = d.backend();
            String backend = b == null ? null : b.name();
            long now = clock.nanos();
            for (MappingListener l : listeners) {
                try {
                    l.mappingChanged(d.name, backend, live, dmaAddr, size, now);
                } catch (RuntimeException e) {
                    d.log("mapping listener " + l.getClass().getName() + " threw " + e);
                }
            }
        };
    }
}
