package org.iommulab.testkit;

import org.iommulab.api.backend.TranslationPort;
import org.iommulab.api.platform.AccessType;

/**
 * A translation port that corrupts quietly: device writes land one byte further than mapped,
 * reads are faithful, and nothing faults. For tests that a workload's data check (not a fault)
 * catches a backend that misplaces data; use it as
 * {@code WrappingBackend.port("skewed", inner, SkewedWritesPort::new)}. Its page shift is 0
 * (byte granular), so no caller may assume a whole page translates alike.
 *
 * <p>Thread safety: immutable; as thread-safe as the port it wraps.
 */
public final class SkewedWritesPort implements TranslationPort {
    private final TranslationPort real;

    public SkewedWritesPort(TranslationPort real) {
        this.real = real;
    }

    @Override
    public long translate(int streamId, long busAddr, AccessType access) {
        long phys = real.translate(streamId, busAddr, access);
        return access == AccessType.WRITE ? phys + 1 : phys;
    }

    @Override
    public int pageShift() {
        return 0;
    }
}
