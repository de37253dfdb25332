package org.iommulab.devices;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A driver's DMA pattern, runnable on demand. A driver registers one as a service while it is
 * bound to its device, with service properties {@value #NAME_PROPERTY} (the workload's name),
 * {@code iommulab.device} and {@code iommulab.backend} (as its device's DmaApi service has
 * them). When the device is swapped to another backend the driver is released and created
 * again, so the service is withdrawn and registered anew with the new backend's name: look it
 * up by workload name and backend after every swap.
 *
 * <p>{@link #run} reports what went wrong instead of throwing (only parameters {@link #check}
 * rejects throw, before anything runs): a run on a device that is swapped away meanwhile ends
 * at its next mapping, which the platform refuses while it releases the driver, with
 * {@link WorkloadReport#firstError()} saying so; the driver's release waits for that run. Runs
 * of one workload are serialized.
 */
@ProviderType
public interface Workload {
    /** Service property: the workload's name, for example {@code nic} or {@code mmc-buggy}. */
    String NAME_PROPERTY = "iommulab.workload";

    /** Unique name of the workload. */
    String name();

    /** Name of the device the driver drives. */
    String deviceName();

    /** One line on what the workload does, for listings. */
    String description();

    /**
     * True for a workload written with a known bug, to show that the platform catches it: the
     * seed case's MMC driver that pairs DMA segment N with CPU entry N. Such a workload is
     * expected to be caught (data errors, checker findings) exactly where its backend merged
     * its scatterlists ({@link WorkloadReport#merged()}), and to pass elsewhere.
     */
    default boolean seededBug() {
        return false;
    }

    /**
     * Checks {@code params} without running anything: throws what {@link #run} would throw for
     * them, so that a caller can validate a whole plan before it starts.
     *
     * @throws IllegalArgumentException naming the parameter this workload cannot use
     */
    void check(WorkloadParams params);

    /**
     * Runs the pattern with {@code params} on the backend the device is bound to now.
     *
     * @throws IllegalArgumentException when {@code params} is null or {@link #check} rejects it;
     *         nothing has run then
     */
    WorkloadReport run(WorkloadParams params);
}
