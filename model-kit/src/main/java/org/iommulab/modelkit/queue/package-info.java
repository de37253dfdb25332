/**
 * In-memory queues for hardware models: {@link org.iommulab.modelkit.queue.QueueGeometry}
 * (producer and consumer register arithmetic, with a wrap flag as SMMUv3 has or a free slot
 * as VT-d, AMD-Vi and RISC-V have, entries of any whole number of doublewords),
 * {@link org.iommulab.modelkit.queue.OverflowFlag} and
 * {@link org.iommulab.modelkit.queue.OverflowSignal} (how a lost record is signalled), and
 * {@link org.iommulab.modelkit.queue.RecordWriter} (the hardware writing fault and event
 * records). Both halves use them: a model consuming commands and writing events, a driver
 * writing commands and draining events.
 */
@Export
@Version("1.0.0")
package org.iommulab.modelkit.queue;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
