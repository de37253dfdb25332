package org.iommulab.api.admin;

import java.util.List;

import org.iommulab.api.backend.ReservedRegion;
import org.iommulab.api.checker.CheckerPolicy;
import org.iommulab.api.checker.Finding;
import org.iommulab.api.iommu.PageTableCensus;
import org.iommulab.api.platform.BusMaster;
import org.iommulab.api.platform.DeviceDescriptor;
import org.iommulab.api.platform.DmaFault;
import org.iommulab.api.platform.PageAllocator;
import org.iommulab.api.platform.PhysicalMemory;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The running platform, for the shell, the main job and tests. Unknown device or backend
 * names throw {@link IllegalArgumentException} and change nothing.
 */
@ProviderType
public interface PlatformAdmin {
    PhysicalMemory memory();

    PageAllocator allocator();

    /** Names of the backends registered now, highest ranking first. */
    List<String> backends();

    /** Every device with its binding, by name. */
    List<DeviceStatus> devices();

    DeviceStatus device(String name);

    /**
     * Adds a device that does not come from configuration (tests, scenarios); it is bound at once
     * if a backend accepts it.
     *
     * @throws IllegalArgumentException when a device of that name exists, or another device has
     *         one of its stream IDs (the message names that device); nothing is added
     */
    void addDevice(DeviceDescriptor descriptor);

    /** Removes a device added by {@link #addDevice}: its driver is released first. */
    void removeDevice(String name);

    /**
     * Moves {@code device} to {@code backend} with the swap protocol: the driver is released
     * first (while it releases, its new mappings fail at once and its unmaps pass), its device
     * DMA is cut off (accesses through its {@code DmaApi.busMaster()} are refused from then on),
     * leaks are reported and reclaimed, detach, attach, and the driver starts again on a new
     * DmaApi. No step waits without a bound. Returns when the device is bound again.
     *
     * @throws IllegalArgumentException for an unknown device or backend
     * @throws IllegalStateException when the backend refuses the device, or the driver did not
     *         release within the platform's bound (the message names the driver, what its thread
     *         waits on, and its stack); the device stays where it was
     */
    void bind(String device, String backend);

    /**
     * The device's own bus master, tied to no driver: its accesses are translated by whatever
     * the device is bound to at that moment (tests and the conformance suite play the device
     * with it). While the binding changes they fault, as a stream attached to Linux's blocking
     * domain would. Drivers hand their device model {@code DmaApi.busMaster()} instead.
     */
    BusMaster busMaster(String device);

    /** Counters of {@code device} on the backend it is bound to now. */
    DeviceStats stats(String device);

    /**
     * One counter of {@code device} on the backend it is bound to now, as
     * {@code stats(device).get(stat)} gives it, without reading every other counter (a trace
     * replay reads the checker's finding count after each call). Thread-safe, as {@link #stats}.
     *
     * @since 1.5
     */
    default long count(String device, Stat stat) {
        if (stat == null) {
            throw new IllegalArgumentException("count needs a stat, not null");
        }
        return stats(device).get(stat);
    }

    /** Counters of every device on every backend it has been bound to. */
    List<DeviceStats> allStats();

    /** The most recent faults, oldest first (a bounded history). */
    List<DmaFault> faults();

    /** The checker's most recent findings, oldest first (a bounded history). */
    List<Finding> findings();

    /** Whether the DMA-API checker is on (it is by default; configuration turns it off). */
    boolean checkerEnabled();

    /** The most recent warnings the backends logged for {@code device}, oldest first. */
    List<String> log(String device);

    /**
     * What the DMA-API checker does with {@code device}'s misused calls: refuse them (nothing
     * changes, the call throws) or report them and carry them out as Linux does. The platform's
     * {@code checker.policy} until {@link #setCheckerPolicy} changes it; it outlives swaps.
     *
     * @throws IllegalArgumentException for an unknown device
     * @throws UnsupportedOperationException when the platform has one policy for every device
     */
    default CheckerPolicy checkerPolicy(String device) {
        throw new UnsupportedOperationException("this platform has no per-device checker policy");
    }

    /**
     * Sets what the DMA-API checker does with {@code device}'s misused calls from now on
     * (calls in flight finish under the policy they started with).
     *
     * @throws IllegalArgumentException for an unknown device or a null policy
     * @throws UnsupportedOperationException when the platform has one policy for every device
     */
    default void setCheckerPolicy(String device, CheckerPolicy policy) {
        throw new UnsupportedOperationException("this platform has no per-device checker policy");
    }

    /**
     * The reserved regions of {@code device}'s DMA address space as its current backend
     * reports them ({@link org.iommulab.api.backend.DmaOps#reservedRegions()}); empty when the
     * device is unbound, its backend reserves nothing, or the platform does not report them
     * (the default).
     *
     * @throws IllegalArgumentException for an unknown device
     * @since 1.4
     */
    default List<ReservedRegion> reservedRegions(String device) {
        return List.of();
    }

    /**
     * A census of the page-table tree of {@code device}'s current backend
     * ({@link org.iommulab.api.backend.DmaOps#pageTableCensus()}); null when the device is
     * unbound, its backend has no tables or does not report them, or the platform does not
     * (the default).
     *
     * @throws IllegalArgumentException for an unknown device
     * @since 1.4
     */
    default PageTableCensus pageTableCensus(String device) {
        return null;
    }
}
