/**
 * Translation caches for hardware models: {@link org.iommulab.modelkit.tlb.Iotlb}, tagged by
 * kind and two context tags, with O(1) lookup across block sizes, invalidation by address, tag
 * and range that visits only the entries concerned, and a pluggable, deterministic
 * {@link org.iommulab.modelkit.tlb.ReplacementPolicy}. Used for IOTLBs and walk caches alike.
 * Not thread-safe; a model calls them under its lock.
 */
@Export
@Version("1.0.0")
package org.iommulab.modelkit.tlb;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
