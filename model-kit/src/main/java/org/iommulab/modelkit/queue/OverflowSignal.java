package org.iommulab.modelkit.queue;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * How a queue tells software that the producer lost a record because the queue was full. Two
 * shapes exist: a flag in the producer register toggled, acknowledged by the consumer
 * ({@link OverflowFlag}: SMMUv3 EVENTQ_PROD.OVFLG and CONS.OVACKFLG), and a sticky status bit
 * that software clears (RISC-V {@code fqcsr.fqof}, VT-d {@code PRS.PRO}): the model implements
 * that one in a lambda that sets its bit and returns the producer unchanged.
 *
 * <p>Thread safety: called by a {@link RecordWriter} under the model's lock only.
 */
@ConsumerType
@FunctionalInterface
public interface OverflowSignal {
    /**
     * A record met a full queue and was discarded.
     *
     * @return the producer register's new value
     */
    int overflow(int producer, int consumer);

    /** No signal at all (gem5 clears its flag; some queues have none). */
    static OverflowSignal none() {
        return (producer, consumer) -> producer;
    }
}
