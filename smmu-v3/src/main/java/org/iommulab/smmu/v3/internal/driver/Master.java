package org.iommulab.smmu.v3.internal.driver;

import org.iommulab.api.backend.DmaDevice;
import org.iommulab.smmu.v3.internal.model.ModelPort;

/**
 * A device the driver has probed, Linux {@code struct arm_smmu_master}: its StreamIDs, its CD
 * table (one CD, for SubstreamID 0), the domain it is attached to, and the SMMU's port for its
 * transactions.
 */
final class Master {
    final DmaDevice device;
    final int[] sids;
    final DmaBuffer cdTable;
    final ModelPort port;
    /** The attached domain, or null (blocked). Guarded by the driver's lock. */
    AttachedDomain domain;

    Master(DmaDevice device, int[] sids, DmaBuffer cdTable, ModelPort port) {
        this.device = device;
        this.sids = sids;
        this.cdTable = cdTable;
        this.port = port;
    }
}
