package org.iommulab.api.config;

/**
 * A configuration value that breaks its key's rule. The message names all four parts, in
 * the form {@code configuration PID: KEY=VALUE: RULE}, so that a user can find the line in the
 * {@code .cfg} file and see what would be accepted. Thrown before anything is built from the
 * configuration: a component that throws it changes nothing.
 */
public class ConfigException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String pid;
    private final String key;
    private final String value;
    private final String rule;

    /**
     * @param pid the configuration's PID (or factory PID)
     * @param key the property
     * @param value the value as given, or null when a required key is missing
     * @param rule what the value must be, in words ("an integer 1..24")
     */
    public ConfigException(String pid, String key, String value, String rule) {
        super("configuration " + pid + ": " + key + "=" + (value == null ? "(missing)" : value) + ": " + rule);
        this.pid = pid;
        this.key = key;
        this.value = value;
        this.rule = rule;
    }

    /** @return the configuration's PID (or factory PID) */
    public String pid() {
        return pid;
    }

    /** @return the property whose value broke its rule */
    public String key() {
        return key;
    }

    /** @return the value as given, or null when a required key is missing */
    public String value() {
        return value;
    }

    /** @return the rule, in words */
    public String rule() {
        return rule;
    }
}
