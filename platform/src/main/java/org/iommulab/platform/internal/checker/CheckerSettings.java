package org.iommulab.platform.internal.checker;

/**
 * How the DMA-API checker runs, from configuration {@code org.iommulab.platform}
 * ({@code checker.enabled}, {@code checker.recordMapSites}). Immutable; a changed configuration
 * re-creates the platform.
 */
public final class CheckerSettings {
    /** The default: checker on, map call sites not recorded. */
    public static final CheckerSettings DEFAULT = new CheckerSettings(true, false);
    /** The checker off: no findings, the CPU view is raw memory. */
    public static final CheckerSettings OFF = new CheckerSettings(false, false);

    private final boolean enabled;
    private final boolean recordMapSites;

    public CheckerSettings(boolean enabled, boolean recordMapSites) {
        this.enabled = enabled;
        this.recordMapSites = enabled && recordMapSites;
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
        return "checker " + (enabled ? "on" : "off") + (recordMapSites ? ", recording map sites" : "");
    }
}
