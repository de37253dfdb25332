package org.iommulab.swiotlb.internal.direct;

import java.util.concurrent.atomic.AtomicLong;

import org.iommulab.api.backend.BackendCounter;

/** One device's bounce traffic on one binding: what {@code DeviceBinding.counter} reports. */
final class BounceCounters {
    private final AtomicLong toDevice = new AtomicLong();
    private final AtomicLong fromDevice = new AtomicLong();
    private final AtomicLong mappings = new AtomicLong();

    void copiedToDevice(long bytes) {
        if (bytes > 0) {
            toDevice.addAndGet(bytes);
        }
    }

    void copiedFromDevice(long bytes) {
        if (bytes > 0) {
            fromDevice.addAndGet(bytes);
        }
    }

    void bounced() {
        mappings.incrementAndGet();
    }

    /** The counter's value, or -1 for counters a direct or swiotlb binding has not (IOTLB, IOVA). */
    long get(BackendCounter counter) {
        switch (counter) {
            case BOUNCED_BYTES_TO_DEVICE:
                return toDevice.get();
            case BOUNCED_BYTES_FROM_DEVICE:
                return fromDevice.get();
            case BOUNCED_MAPPINGS:
                return mappings.get();
            default:
                return -1;
        }
    }
}
