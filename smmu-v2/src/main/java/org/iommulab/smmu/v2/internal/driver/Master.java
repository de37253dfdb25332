package org.iommulab.smmu.v2.internal.driver;

import org.iommulab.api.backend.DmaDevice;

/**
 * A probed device, Linux's {@code struct arm_smmu_master_cfg}: its stream IDs, the stream
 * mapping entries they use ({@code smendx}) and the domain it is attached to now.
 */
final class Master {
    final DmaDevice device;
    final int[] sids;
    final int[] smendx;
    volatile SmmuV2Domain domain;

    Master(DmaDevice device, int[] sids, int[] smendx) {
        this.device = device;
        this.sids = sids;
        this.smendx = smendx;
    }
}
