/**
 * Primitive collections a model's hot paths can use without allocating: {@link
 * org.iommulab.modelkit.collect.LongIntMap}, the open-addressing map the models' caches index
 * by page, tag or stream ID. Not thread-safe; the owner's lock guards them.
 */
@Export
@Version("1.0.0")
package org.iommulab.modelkit.collect;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
