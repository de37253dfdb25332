package org.iommulab.app.internal;

import java.util.Map;

/**
 * Sets a configuration for one point of a sweep (a scenario's {@code config} directive) and
 * puts the previous one back afterwards: ConfigAdmin in the container
 * ({@link ConfigAdminBackendConfig}), a test's own in unit tests.
 */
interface BackendConfig {
    /** Puts back what {@link #apply} changed. */
    interface Restore {
        void restore();
    }

    /**
     * Sets {@code settings} in configuration {@code pid} (other properties unchanged) and waits
     * until the backends and drivers the change re-creates are back.
     *
     * @throws IllegalArgumentException when the value cannot be set (nothing changed then)
     */
    Restore apply(String pid, Map<String, String> settings);

    /** No configuration store: a scenario with a {@code config} directive is refused. */
    BackendConfig NONE = (pid, settings) -> {
        throw new IllegalArgumentException("no configuration store here to set " + pid + " in");
    };
}
