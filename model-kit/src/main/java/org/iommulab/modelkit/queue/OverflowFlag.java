package org.iommulab.modelkit.queue;

/**
 * An overflow flag in the producer register, acknowledged through the same bit of the consumer
 * register (IHI0070 §7.4): an overflow is pending while PROD.OVFLG differs from CONS.OVACKFLG.
 * A record discarded at a full queue toggles OVFLG unless an overflow is already pending; the
 * consumer acknowledges by writing OVACKFLG equal to OVFLG (Linux {@code arm_smmu_evtq_thread}:
 * {@code Q_OVF(prod) | Q_WRP | Q_IDX} written to CONS). QEMU raises GERROR.EVENTQ_ABT_ERR
 * instead and gem5 panics (shared/reference/smmu.md §6).
 *
 * <p>Immutable and thread-safe.
 */
public final class OverflowFlag implements OverflowSignal {
    private final int bit;

    /** A flag at bit mask {@code bit} (one bit) in both registers; SMMUv3: {@code 1 << 31}. */
    public OverflowFlag(int bit) {
        if (Integer.bitCount(bit) != 1) {
            throw new IllegalArgumentException("an overflow flag is one bit, got mask 0x" + Integer.toHexString(bit));
        }
        this.bit = bit;
    }

    public int bit() {
        return bit;
    }

    /** True while software has not acknowledged the last overflow. */
    public boolean pending(int producer, int consumer) {
        return ((producer ^ consumer) & bit) != 0;
    }

    /** The producer after an overflow: the flag toggled, unless one is already pending. */
    @Override
    public int overflow(int producer, int consumer) {
        return pending(producer, consumer) ? producer : producer ^ bit;
    }

    /** The consumer value that acknowledges whatever the producer's flag says. */
    public int acknowledge(int producer, int consumer) {
        return (consumer & ~bit) | (producer & bit);
    }
}
