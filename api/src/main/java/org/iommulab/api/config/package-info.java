/**
 * Configuration rules shared by every bundle: {@link ConfigReader} reads a component's
 * configuration (ConfigAdmin properties, as a {@code .cfg} file in {@code deploy/} gives them)
 * and enforces each key's rule, {@link ConfigException} names the PID, the key, the value and
 * the rule that a value broke, and {@link ConfigValidator} services let the application check
 * every configuration before anything runs.
 */
@Export
@Version("1.0.0")
package org.iommulab.api.config;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
