package org.iommulab.platform.internal.checker;

import org.iommulab.api.checker.CheckerPolicy;

/**
 * How the DMA-API checker runs, from configuration {@code org.iommulab.platform}
 * ({@code checker.enabled}, {@code checker.recordMapSites}, {@code checker.policy}). Immutable;
 * a changed configuration re-creates the platform.
 */
public final class CheckerSettings {
    /** The default: checker on, map call sites not recorded, misuse refused. */
    public static final CheckerSettings DEFAULT = new CheckerSettings(true, false);
    /** The checker off: no findings, the CPU view is raw memory. */
    public static final CheckerSettings OFF = new CheckerSettings(false, false);

    private final boolean enabled;
    private final boolean recordMapSites;
    private final CheckerPolicy policy;

    public CheckerSettings(boolean enabled, boolean recordMapSites) {
        this(enabled, recordMapSites, CheckerPolicy.REFUSE);
    }

    /** @param policy what a device's misused calls get until its policy is set otherwise */
    public CheckerSettings(boolean enabled, boolean recordMapSites, CheckerPolicy policy) {
        if (policy == null) {
            throw new IllegalArgumentException("checker.policy must be refuse or report");
        }
        this.enabled = enabled;
        this.recordMapSites = enabled && recordMapSites;
        this.policy = policy;
    }

    /** What every device's misused calls get at first ({@code checker.policy}). */
    public CheckerPolicy policy() {
        return policy;
    }

    public boolean enabled() {
        return enabled;
    }

    /**
     * Whether every mapping records where it was made (a stack walk per map, which allocates:
     * off by default so that a map/unmap pair allocates nothing; findings then have no
     * {@code mappedAt}).
     */
    public boolean recordMapSites() {
        return recordMapSites;
    }

    @Override
    public String toString() {
        return "checker " + (enabled ? "on" : "off") + (recordMapSites ? ", recording map sites" : "") + ", misuse "
                + (policy == CheckerPolicy.REFUSE ? "refused" : "reported and carried out");
    }
}
