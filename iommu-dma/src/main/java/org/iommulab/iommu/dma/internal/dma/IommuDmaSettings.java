package org.iommulab.iommu.dma.internal.dma;

import java.util.List;
import java.util.function.IntSupplier;

import org.iommulab.api.platform.MemoryRegion;
import org.iommulab.api.platform.SimClock;
import org.iommulab.api.platform.SimCpus;

/**
 * How iommu-dma runs the backends it makes, Linux's boot options in one value:
 * <ul>
 * <li>{@code lazy}: {@code iommu.strict=0}, DMA_FQ domains with a flush queue for trusted
 * devices whose IOMMU has {@code DEFERRED_FLUSH}; otherwise strict. The default is strict,
 * Linux's default on arm64 ({@code CONFIG_IOMMU_DEFAULT_DMA_STRICT}; lazy is x86's);</li>
 * <li>{@code singleQueue}: the IOMMU's invalidation is costly ({@code shadow_on_flush}, a
 * virtualised IOMMU): one flush queue for all CPUs, {@code IOVA_SINGLE_FQ_SIZE} 32768 and
 * {@code IOVA_SINGLE_FQ_TIMEOUT} 1000 ms ({@code iommu_dma_init_options}); otherwise per-CPU
 * queues of {@code fqSize} and {@code fqTimeoutNanos}, {@code IOVA_DEFAULT_FQ_SIZE} 256 and
 * {@code IOVA_DEFAULT_FQ_TIMEOUT} 10 ms;</li>
 * <li>{@code cpus} and {@code cpu}: how many per-CPU rcaches and flush rings, and which one the
 * calling thread uses (the simulation's {@link SimCpus});</li>
 * <li>{@code forceDac}: {@code iommu.forcedac}, no 32-bit-first allocation for PCI devices;</li>
 * <li>{@code clock}: simulated nanoseconds for the flush timer (the simulation's
 * {@link SimClock}, through {@link FqClock}; never the host's clock);</li>
 * <li>{@code pciWindows}: the PCI host bridge's memory windows, which
 * {@code iova_reserve_pci_windows} keeps out of every PCI device's IOVA space (by default QEMU
 * virt's: 0x10000000 of 0x2eff0000 bytes and 512 GiB at 512 GiB).</li>
 * </ul>
 * Immutable.
 */
final class IommuDmaSettings {
    final boolean lazy;
    final boolean singleQueue;
    final int fqSize;
    final long fqTimeoutNanos;
    final int cpus;
    final IntSupplier cpu;
    final boolean forceDac;
    final FqClock clock;
    final List<MemoryRegion> pciWindows;

    /** QEMU virt's PCIe host bridge memory windows ({@code VIRT_PCIE_MMIO}, {@code VIRT_HIGH_PCIE_MMIO}). */
    static final List<MemoryRegion> VIRT_PCI_WINDOWS = List.of(new MemoryRegion(0x10000000L, 0x2eff0000L),
            new MemoryRegion(0x80_0000_0000L, 0x80_0000_0000L));

    IommuDmaSettings(boolean lazy, int fqSize, long fqTimeoutNanos, int cpus, IntSupplier cpu, boolean forceDac,
            FqClock clock) {
        this(lazy, false, fqSize, fqTimeoutNanos, cpus, cpu, forceDac, clock);
    }

    IommuDmaSettings(boolean lazy, boolean singleQueue, int fqSize, long fqTimeoutNanos, int cpus, IntSupplier cpu,
            boolean forceDac, FqClock clock) {
        this(lazy, singleQueue, fqSize, fqTimeoutNanos, cpus, cpu, forceDac, clock, VIRT_PCI_WINDOWS);
    }

    IommuDmaSettings(boolean lazy, boolean singleQueue, int fqSize, long fqTimeoutNanos, int cpus, IntSupplier cpu,
            boolean forceDac, FqClock clock, List<MemoryRegion> pciWindows) {
        if (cpus < 1) {
            throw new IllegalArgumentException("iommu-dma needs at least one CPU, got " + cpus);
        }
        if (fqSize < 2 || (fqSize & (fqSize - 1)) != 0) {
            throw new IllegalArgumentException("flush queue size must be a power of two of at least 2, got " + fqSize);
        }
        if (fqTimeoutNanos <= 0) {
            throw new IllegalArgumentException("flush queue timeout must be positive, got " + fqTimeoutNanos + " ns");
        }
        if (clock == null || cpu == null || pciWindows == null) {
            throw new IllegalArgumentException("clock, CPU supplier and PCI windows must not be null");
        }
        this.lazy = lazy;
        this.singleQueue = singleQueue;
        this.fqSize = fqSize;
        this.fqTimeoutNanos = fqTimeoutNanos;
        this.cpus = cpus;
        this.cpu = cpu;
        this.forceDac = forceDac;
        this.clock = clock;
        this.pciWindows = List.copyOf(pciWindows);
    }

    /** Settings on the simulation's clock and CPUs, with Linux's flush-queue constants. */
    static IommuDmaSettings of(boolean lazy, SimClock clock, SimCpus cpus) {
        if (clock == null || cpus == null) {
            throw new IllegalArgumentException("iommu-dma needs the simulation's clock and CPUs");
        }
        return new IommuDmaSettings(lazy, false, FlushQueue.DEFAULT_SIZE, FlushQueue.DEFAULT_TIMEOUT_MS * 1_000_000L,
                cpus.count(), cpus::current, false, FqClock.of(clock));
    }

    /**
     * Strict, Linux's flush-queue constants, one CPU and a clock that stands still at 0: for
     * plain-Java users with no simulation (a lazy domain then flushes only when its ring fills).
     */
    static IommuDmaSettings defaults() {
        return new IommuDmaSettings(false, false, FlushQueue.DEFAULT_SIZE, FlushQueue.DEFAULT_TIMEOUT_MS * 1_000_000L, 1,
                () -> 0, false, () -> 0L);
    }

    /** The same settings in lazy or strict mode. */
    IommuDmaSettings lazy(boolean l) {
        return new IommuDmaSettings(l, singleQueue, fqSize, fqTimeoutNanos, cpus, cpu, forceDac, clock, pciWindows);
    }

    /**
     * The same settings with one flush queue for all CPUs ({@code shadow_on_flush}), of
     * {@link FlushQueue#SINGLE_SIZE} entries and {@link FlushQueue#SINGLE_TIMEOUT_MS}, or back to
     * per-CPU queues of Linux's default size and timeout.
     */
    IommuDmaSettings singleQueue(boolean s) {
        return s ? new IommuDmaSettings(lazy, true, FlushQueue.SINGLE_SIZE, FlushQueue.SINGLE_TIMEOUT_MS * 1_000_000L, cpus,
                cpu, forceDac, clock, pciWindows)
                : new IommuDmaSettings(lazy, false, FlushQueue.DEFAULT_SIZE, FlushQueue.DEFAULT_TIMEOUT_MS * 1_000_000L, cpus,
                        cpu, forceDac, clock, pciWindows);
    }

    /** The same settings with another clock and a single CPU: deterministic, for tests. */
    IommuDmaSettings deterministic(FqClock c) {
        return new IommuDmaSettings(lazy, singleQueue, fqSize, fqTimeoutNanos, 1, () -> 0, forceDac, c, pciWindows);
    }

    /** The same settings with {@code n} CPUs, the current one given by {@code current}. */
    IommuDmaSettings cpus(int n, IntSupplier current) {
        return new IommuDmaSettings(lazy, singleQueue, fqSize, fqTimeoutNanos, n, current, forceDac, clock, pciWindows);
    }

    /** The same settings with {@code iommu.forcedac} on or off. */
    IommuDmaSettings forceDac(boolean f) {
        return new IommuDmaSettings(lazy, singleQueue, fqSize, fqTimeoutNanos, cpus, cpu, f, clock, pciWindows);
    }

    /** The same settings with other PCI host bridge windows. */
    IommuDmaSettings pciWindows(List<MemoryRegion> windows) {
        return new IommuDmaSettings(lazy, singleQueue, fqSize, fqTimeoutNanos, cpus, cpu, forceDac, clock, windows);
    }
}
