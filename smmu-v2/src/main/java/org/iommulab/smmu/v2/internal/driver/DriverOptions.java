package org.iommulab.smmu.v2.internal.driver;

/**
 * The driver's knobs, Linux's module parameters and quirks.
 *
 * @param forceStage Linux {@code arm-smmu.force_stage}: 1 or 2 restricts paging domains to that
 *        stage (and hides nesting); 0 uses stage 1 when the SMMU has it
 * @param disableBypass Linux {@code arm-smmu.disable_bypass} (default on, as
 *        {@code CONFIG_ARM_SMMU_DISABLE_BYPASS_BY_DEFAULT}): unmatched streams and streams of
 *        unattached devices fault instead of bypassing
 * @param perPageBlockInvalidation invalidate a block leaf page by page: the workaround for
 *        SMMU-500s whose TLBIVA(L) drops only the block's base page
 */
public record DriverOptions(int forceStage, boolean disableBypass, boolean perPageBlockInvalidation) {
    public DriverOptions {
        if (forceStage < 0 || forceStage > 2) {
            throw new IllegalArgumentException("force stage must be 0, 1 or 2, got " + forceStage);
        }
    }

    /** Linux's defaults: no forced stage, bypass disabled, no quirk. */
    public static DriverOptions defaults() {
        return new DriverOptions(0, true, false);
    }
}
