/**
 * Page-table formats as a library, Linux's {@code io-pgtable} in shape
 * ({@code include/linux/io-pgtable.h}, {@code drivers/iommu/io-pgtable.c}):
 * <ul>
 * <li>{@link org.iommulab.iopgtable.IoPgtableOps}, the table a driver maps into
 * ({@code struct io_pgtable_ops}), and {@link org.iommulab.iopgtable.IoPgtableFlushOps}, the
 * TLB maintenance the driver hands to it ({@code struct iommu_flush_ops});</li>
 * <li>{@link org.iommulab.iopgtable.IoPgtableFormat} and the table of built-in formats,
 * {@link org.iommulab.iopgtable.IoPgtableFormats} ({@code enum io_pgtable_fmt} and
 * {@code io_pgtable_init_table}): ARM LPAE stage 1 and stage 2 with the 4K, 16K and 64K
 * granules; another bundle adds a format by implementing the interface;</li>
 * <li>the hardware side's narrow view of memory: a walker reads descriptors through a
 * {@link org.iommulab.iopgtable.DescriptorReader} and nothing else, and
 * {@link org.iommulab.iopgtable.NestedDescriptorReader} sends a stage-1 walk's descriptor
 * fetches through a stage-2 walk.</li>
 * </ul>
 * The ARM LPAE writer and walker themselves are in {@link org.iommulab.iopgtable.lpae}.
 */
@Export
@Version("1.2.0")
package org.iommulab.iopgtable;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
