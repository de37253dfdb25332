package org.iommulab.api.config;

import java.util.Map;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Checks the configurations of one PID (or factory PID) by the same rules its component
 * applies when it reads them, without building anything. A bundle registers one per PID it
 * reads, with the service property {@value #PID_PROPERTY}; the application runs every
 * configuration held by ConfigAdmin through them before it runs anything, so that a bad value
 * stops the run with its message instead of leaving a component silently unactivated.
 *
 * <p>Implemented by bundles (a third-party model may register its own). Thread safety: called
 * from any thread, concurrently; an implementation holds no state between calls.
 */
@ConsumerType
public interface ConfigValidator {
    /** Service property: the PID (or factory PID) whose configurations this validator checks. */
    String PID_PROPERTY = "iommulab.config.pid";

    /**
     * @param properties a configuration's properties, as ConfigAdmin holds them
     * @throws ConfigException naming the first key whose value breaks its rule
     */
    void validate(Map<String, ?> properties);
}
