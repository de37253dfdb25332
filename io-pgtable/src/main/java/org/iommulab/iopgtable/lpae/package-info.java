/**
 * ARM LPAE (VMSAv8-64) page tables for IOMMU models, stage 1 and stage 2, in two halves that
 * share only the descriptor format ({@link org.iommulab.iopgtable.lpae.LpaeFormat}):
 * <ul>
 * <li>the driver side, {@link org.iommulab.iopgtable.lpae.LpaePageTable}: Linux's
 * {@code io-pgtable-arm.c} writer, building tables in simulated physical memory, an
 * {@link org.iommulab.iopgtable.IoPgtableOps} with TLB maintenance through the driver's
 * {@link org.iommulab.iopgtable.IoPgtableFlushOps};</li>
 * <li>the hardware side, {@link org.iommulab.iopgtable.lpae.LpaeWalker}: a table walk
 * from a decoded {@link org.iommulab.iopgtable.lpae.LpaeTranslationConfig} into a reusable
 * {@link org.iommulab.iopgtable.lpae.LpaeWalkResult}, with typed
 * {@link org.iommulab.iopgtable.lpae.LpaeFault}s, reading descriptors through a
 * {@link org.iommulab.iopgtable.DescriptorReader}.</li>
 * </ul>
 * Exported for the IOMMU model bundles, which program the same format.
 */
@Export
@Version("1.1.0")
package org.iommulab.iopgtable.lpae;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
