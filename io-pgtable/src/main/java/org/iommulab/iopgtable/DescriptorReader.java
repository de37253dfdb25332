package org.iommulab.iopgtable;

import org.iommulab.api.platform.PhysicalMemory;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * All a table walker may do with memory: read one 64-bit (little-endian) descriptor at a
 * physical address, as QEMU's SMMU walker does with {@code get_pte}
 * ({@code hw/arm/smmu-common.c}). A fetch that reaches no memory throws
 * {@link DescriptorFetchAbort}, which the walker turns into a walk abort (WALK_EABT, QEMU's
 * {@code SMMU_PTW_ERR_WALK_EABT}); the success path allocates nothing. A model that routes
 * fetches elsewhere (through a stage-2 walk, a cache, a fault injector) implements this one
 * method instead of a whole {@link PhysicalMemory}.
 *
 * <p>Threading: a walker calls its reader from the walking thread only; whether a reader may be
 * shared between threads is up to it ({@link #of} returns one that may).
 */
@ConsumerType
@FunctionalInterface
public interface DescriptorReader {
    /**
     * The descriptor at physical address {@code pa}.
     *
     * @throws DescriptorFetchAbort when {@code pa} reaches no memory
     */
    long readDescriptor(long pa);

    /**
     * Descriptors read from {@code memory}: a fetch outside RAM aborts. Thread-safe as far as
     * {@code memory} is.
     */
    static DescriptorReader of(PhysicalMemory memory) {
        if (memory == null) {
            throw new IllegalArgumentException("a descriptor reader needs the physical memory it reads");
        }
        return pa -> {
            if (!memory.isRam(pa, 8)) {
                throw DescriptorFetchAbort.INSTANCE;
            }
            return memory.readLong(pa);
        };
    }
}
