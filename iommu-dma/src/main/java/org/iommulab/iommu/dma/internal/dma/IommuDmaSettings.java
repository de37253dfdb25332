package org.iommulab.iommu.dma.internal.dma;

import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * How iommu-dma runs the backends it makes, Linux's boot options in one value:
 * <ul>
 * <li>{@code lazy}: {@code iommu.strict=0}, DMA_FQ domains with a flush queue for trusted
 * devices whose IOMMU has {@code DEFERRED_FLUSH}; otherwise strict. The default is strict,
 * Linux's default on arm64 ({@code CONFIG_IOMMU_DEFAULT_DMA_STRICT}; lazy is x86's);</li>
 * <li>{@code fqSize}, {@code fqTimeoutNanos}: {@code IOVA_DEFAULT_FQ_SIZE} 256 and
 * {@code IOVA_DEFAULT_FQ_TIMEOUT} 10 ms;</li>
 * <li>{@code cpus} and {@code cpu}: how many per-CPU rcaches and flush rings, and which one the
 * calling thread uses (null: thread id modulo cpus);</li>
 * <li>{@code forceDac}: {@code iommu.forcedac}, no 32-bit-first allocation for PCI devices;</li>
 * <li>{@code clock}: nanoseconds for the flush timer (tests pass their own).</li>
 * </ul>
 * Immutable.
 */
final class IommuDmaSettings {
    final boolean lazy;
    final int fqSize;
    final long fqTimeoutNanos;
    final int cpus;
    final IntSupplier cpu;
    final boolean forceDac;
    final LongSupplier clock;

    IommuDmaSettings(boolean lazy, int fqSize, long fqTimeoutNanos, int cpus, IntSupplier cpu, boolean forceDac,
            LongSupplier clock) {
        if (cpus < 1) {
            throw new IllegalArgumentException("iommu-dma needs at least one CPU, got " + cpus);
        }
        if (fqSize < 2 || (fqSize & (fqSize - 1)) != 0) {
            throw new IllegalArgumentException("flush queue size must be a power of two of at least 2, got " + fqSize);
        }
        if (fqTimeoutNanos <= 0) {
            throw new IllegalArgumentException("flush queue timeout must be positive, got " + fqTimeoutNanos + " ns");
        }
        if (clock == null) {
            throw new IllegalArgumentException("clock must not be null");
        }
        this.lazy = lazy;
        this.fqSize = fqSize;
        this.fqTimeoutNanos = fqTimeoutNanos;
        this.cpus = cpus;
        this.cpu = cpu != null ? cpu : () -> (int) Math.floorMod(Thread.currentThread().getId(), (long) cpus);
        this.forceDac = forceDac;
        this.clock = clock;
    }

    /** Strict, Linux's flush-queue constants, one rcache per available processor, the system clock. */
    static IommuDmaSettings defaults() {
        return new IommuDmaSettings(false, FlushQueue.DEFAULT_SIZE, FlushQueue.DEFAULT_TIMEOUT_MS * 1_000_000L,
                Runtime.getRuntime().availableProcessors(), null, false, System::nanoTime);
    }

    /** The same settings in lazy or strict mode. */
    IommuDmaSettings lazy(boolean l) {
        return new IommuDmaSettings(l, fqSize, fqTimeoutNanos, cpus, cpu, forceDac, clock);
    }

    /** The same settings with another clock and a single CPU: deterministic, for tests. */
    IommuDmaSettings deterministic(LongSupplier c) {
        return new IommuDmaSettings(lazy, fqSize, fqTimeoutNanos, 1, () -> 0, forceDac, c);
    }
}
