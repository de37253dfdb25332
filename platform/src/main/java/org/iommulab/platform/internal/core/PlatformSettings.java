package org.iommulab.platform.internal.core;

import java.util.List;
import java.util.concurrent.TimeUnit;

import org.iommulab.api.platform.MemoryRegion;
import org.iommulab.platform.internal.dma.AddressMap;

/**
 * The platform's settings besides the checker's (configuration {@code org.iommulab.platform}):
 * how long a swap waits for a driver's release, and for the calls and device accesses in flight
 * to drain, before it gives up; and which physical ranges are MMIO a driver may map with
 * {@code dma_map_resource}. Immutable.
 *
 * <p>The release bound is host time on the swapping thread: a real thread that waits for
 * another party must never wait forever. It is the only place the platform reads the host's
 * clock; nothing simulated depends on it.
 */
public final class PlatformSettings {
    /** A few seconds: far above a release that works, short enough that a stuck one is reported soon. */
    public static final long DEFAULT_RELEASE_TIMEOUT_MILLIS = 5000;

    /**
     * QEMU virt's MSI doorbell: the GICv3 ITS at {@code VIRT_GIC_ITS} 0x08080000, its
     * {@code GITS_TRANSLATER} register at offset 0x10040 (the translation frame), which Linux's
     * ITS driver gives as the MSI address ({@code its_irq_compose_msi_msg}).
     */
    public static final long VIRT_ITS_DOORBELL = 0x08090040L;

    /** The defaults: {@value #DEFAULT_RELEASE_TIMEOUT_MILLIS} ms, {@link AddressMap#VIRT_MMIO} and {@link #VIRT_ITS_DOORBELL}. */
    public static final PlatformSettings DEFAULT = new PlatformSettings(DEFAULT_RELEASE_TIMEOUT_MILLIS, AddressMap.VIRT_MMIO);

    private final long releaseTimeoutMillis;
    private final List<MemoryRegion> mmio;
    private final long msiDoorbell;

    /**
     * @param releaseTimeoutMillis how long a swap waits for the driver's release (and, each, for
     *        calls and device accesses in flight to drain), at least 1
     * @param mmio the declared MMIO regions
     */
    public PlatformSettings(long releaseTimeoutMillis, List<MemoryRegion> mmio) {
        this(releaseTimeoutMillis, mmio, VIRT_ITS_DOORBELL);
    }

    /**
     * @param msiDoorbell the physical address of the interrupt controller's MSI doorbell, which a
     *        device that enables MSI writes to ({@code DmaApi.enableMsi})
     */
    public PlatformSettings(long releaseTimeoutMillis, List<MemoryRegion> mmio, long msiDoorbell) {
        if (releaseTimeoutMillis < 1) {
            throw new IllegalArgumentException("swap.releaseTimeout must be at least 1 ms, got " + releaseTimeoutMillis);
        }
        if (mmio == null) {
            throw new IllegalArgumentException("the MMIO regions must be given (an empty list for none)");
        }
        if (msiDoorbell <= 0) {
            throw new IllegalArgumentException("the MSI doorbell must be a physical address, got 0x" + Long.toHexString(msiDoorbell));
        }
        this.releaseTimeoutMillis = releaseTimeoutMillis;
        this.mmio = List.copyOf(mmio);
        this.msiDoorbell = msiDoorbell;
    }

    /** The physical address of the MSI doorbell. */
    public long msiDoorbell() {
        return msiDoorbell;
    }

    public long releaseTimeoutMillis() {
        return releaseTimeoutMillis;
    }

    long releaseTimeoutNanos() {
        return TimeUnit.MILLISECONDS.toNanos(releaseTimeoutMillis);
    }

    public List<MemoryRegion> mmio() {
        return mmio;
    }

    /** These settings with another release bound. */
    public PlatformSettings withReleaseTimeoutMillis(long millis) {
        return new PlatformSettings(millis, mmio, msiDoorbell);
    }

    @Override
    public String toString() {
        return "swap.releaseTimeout=" + releaseTimeoutMillis + " ms, MMIO " + mmio + ", MSI doorbell 0x"
                + Long.toHexString(msiDoorbell);
    }
}
