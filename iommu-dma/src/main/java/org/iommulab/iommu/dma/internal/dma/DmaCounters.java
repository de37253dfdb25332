package org.iommulab.iommu.dma.internal.dma;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** The counters iommu-dma keeps for one attached device (see {@code BackendCounter}). */
final class DmaCounters {
    private final AtomicLong iovaBytes = new AtomicLong();
    private final AtomicLong iovaPeak = new AtomicLong();
    final LongAdder staleTranslations = new LongAdder();
    final LongAdder bouncedMappings = new LongAdder();
    final LongAdder bouncedToDevice = new LongAdder();
    final LongAdder bouncedFromDevice = new LongAdder();

    void iovaAllocated(long bytes) {
        long now = iovaBytes.addAndGet(bytes);
        long peak;
        while (now > (peak = iovaPeak.get())) {
            if (iovaPeak.compareAndSet(peak, now)) {
                break;
            }
        }
    }

    void iovaReleased(long bytes) {
        iovaBytes.addAndGet(-bytes);
    }

    long iovaBytesInUse() {
        return iovaBytes.get();
    }

    long iovaBytesPeak() {
        return iovaPeak.get();
    }
}
