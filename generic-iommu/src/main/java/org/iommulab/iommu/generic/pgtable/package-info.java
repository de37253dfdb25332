/**
 * ARM LPAE (VMSAv8-64) page tables for IOMMU models, stage 1 and stage 2, in two halves that
 * share only the descriptor format ({@link org.iommulab.iommu.generic.pgtable.LpaeFormat}):
 * <ul>
 * <li>the driver side, {@link org.iommulab.iommu.generic.pgtable.LpaePageTable}: Linux's
 * {@code io-pgtable-arm.c} writer, building tables in simulated physical memory, with TLB
 * maintenance through the driver's {@link org.iommulab.iommu.generic.pgtable.LpaeTlbOps};</li>
 * <li>the hardware side, {@link org.iommulab.iommu.generic.pgtable.LpaeWalker}: a table walk
 * from a decoded {@link org.iommulab.iommu.generic.pgtable.LpaeTranslationConfig} into a reusable
 * {@link org.iommulab.iommu.generic.pgtable.LpaeWalkResult}, with typed
 * {@link org.iommulab.iommu.generic.pgtable.LpaeFault}s.</li>
 * </ul>
 * Exported for the SMMU bundles, which program the same format.
 */
@Export
@Version("1.0.0")
package org.iommulab.iommu.generic.pgtable;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
