package org.iommulab.platform.internal.core;

import java.util.Map;

import org.osgi.framework.Filter;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;

/**
 * A device's backend target: an LDAP filter on backend service properties. Kept in its own class
 * so that the platform core touches OSGi framework classes only when a device has a target,
 * and runs without them otherwise (benchmarks and tools build it on a plain class path).
 */
final class TargetFilter {
    private final Filter filter;

    private TargetFilter(Filter filter) {
        this.filter = filter;
    }

    /**
     * Parses {@code text} (not null).
     *
     * @throws IllegalArgumentException naming the device when it is not an LDAP filter
     */
    static TargetFilter parse(String device, String text) {
        try {
            return new TargetFilter(FrameworkUtil.createFilter(text));
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException("device " + device + ": backend target '" + text
                    + "' is not an LDAP filter: " + e.getMessage(), e);
        }
    }

    boolean matches(Map<String, ?> properties) {
        return filter.matches(properties);
    }

    @Override
    public String toString() {
        return filter.toString();
    }
}
