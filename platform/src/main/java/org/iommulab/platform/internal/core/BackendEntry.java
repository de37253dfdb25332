package org.iommulab.platform.internal.core;

import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;

import org.iommulab.api.backend.DmaBackend;
import org.osgi.framework.Constants;

/**
 * A backend registered with the platform: the service object, its name, its
 * {@code service.ranking} and all its service properties (for target filters). Ranking and
 * properties change when the service is modified; the platform updates them under its lock.
 */
public final class BackendEntry {
    /**
     * Best first: higher {@code service.ranking}, then lower {@code service.id} (the OSGi
     * rule), then earlier registration with the platform.
     */
    static final Comparator<BackendEntry> BEST_FIRST = (a, b) -> {
        if (a.ranking != b.ranking) {
            return a.ranking > b.ranking ? -1 : 1;
        }
        if (a.serviceId != b.serviceId) {
            return a.serviceId < b.serviceId ? -1 : 1;
        }
        return Long.compare(a.sequence, b.sequence);
    };

    private final DmaBackend backend;
    private final String name;
    private final long sequence;
    private volatile int ranking;
    private volatile long serviceId;
    private volatile Map<String, Object> properties;
    private volatile boolean registered = true;

    BackendEntry(DmaBackend backend, Map<String, ?> props, long sequence) {
        this.backend = backend;
        String n = backend.name();
        if (n == null || n.isBlank()) {
            throw new IllegalArgumentException("a backend needs a name, got '" + n + "' from " + backend);
        }
        this.name = n;
        this.sequence = sequence;
        update(props);
    }

    /** Takes new service properties: ranking, id and the properties filters see. */
    void update(Map<String, ?> props) {
        Map<String, Object> p = new LinkedHashMap<>();
        if (props != null) {
            p.putAll(props);
        }
        p.putIfAbsent(DmaBackend.NAME_PROPERTY, name);
        Object r = p.get(Constants.SERVICE_RANKING);
        // OSGi: a service.ranking that is not an Integer counts as 0.
        ranking = r instanceof Integer ? (Integer) r : 0;
        Object id = p.get(Constants.SERVICE_ID);
        serviceId = id instanceof Long ? (Long) id : Long.MAX_VALUE;
        properties = Collections.unmodifiableMap(p);
    }

    public DmaBackend backend() {
        return backend;
    }

    public String name() {
        return name;
    }

    public int ranking() {
        return ranking;
    }

    /** The service properties, with {@value DmaBackend#NAME_PROPERTY} always present. */
    public Map<String, Object> properties() {
        return properties;
    }

    /** False once the backend went away; a swap must not go back to it then. */
    public boolean isRegistered() {
        return registered;
    }

    void unregistered() {
        registered = false;
    }

    @Override
    public String toString() {
        return name + " (ranking " + ranking + ")";
    }
}
