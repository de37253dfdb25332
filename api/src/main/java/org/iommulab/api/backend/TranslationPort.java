package org.iommulab.api.backend;

import org.iommulab.api.platform.AccessType;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The device side of a backend: turns one device access at a bus address into a physical
 * address, as the hardware in the path (nothing, a bus offset, or an IOMMU's stream lookup,
 * IOTLB and table walk) would. Called for every access, so it allocates nothing on success.
 */
@ProviderType
public interface TranslationPort {
    /**
     * The physical address that {@code busAddr} reaches for an access of type {@code access} by
     * stream {@code streamId}. The result holds for every address in the same naturally aligned
     * block of {@code 1 << pageShift()} bytes.
     *
     * @throws org.iommulab.api.platform.DmaFaultException when the access is denied; the backend
     *         has reported the fault through {@link DmaDevice#reportFault} before throwing
     */
    long translate(int streamId, long busAddr, AccessType access);

    /** log2 of the block size a translation result holds for (12 for a 4 KiB granule). */
    int pageShift();

    /**
     * Translates a run of consecutive blocks of one access, as the same number of
     * {@link #translate} calls in order would, but lets a backend do it in one step (one lock,
     * one stream lookup). Block 0 is the one holding {@code busAddr}, block {@code i} the one
     * holding {@code (busAddr & -(1L << pageShift())) + (i << pageShift())};
     * {@code frames[i]} receives {@code translate} of {@code busAddr} for block 0 and of block
     * {@code i}'s first address for the others.
     *
     * <p>Returns {@code n}, 1 to {@code count}: blocks 0 to {@code n - 1} are translated, with
     * exactly the effects {@code n} calls of {@code translate} would have had (counters,
     * caches, the backend's records). The blocks from {@code n} on are not attempted: nothing
     * of them is looked up, counted or reported, and the caller goes on at block {@code n} with
     * another call. A backend stops early wherever it prefers its single-block path (a cache
     * miss, a denied access), so a fault is always raised by the call whose block 0 it is:
     * when block 0 is denied this throws as {@code translate} does, and every block before it
     * was returned by an earlier call. A caller may do its accesses to a run's blocks after the
     * whole run is translated (a device write to block 0 then comes after block 1's
     * translation), so the blocks after block 0 must be translated only from what the backend
     * holds apart from simulated memory (an IOTLB hit), never from tables in memory: a backend
     * stops before a block it would walk.
     *
     * <p>The default translates block 0 with {@link #translate} and returns 1, so a caller's
     * loop over this method is the block-by-block loop for a backend that does not override it.
     * Allocates nothing on success.
     *
     * @param frames receives the translations; at least {@code count} long
     * @param count the blocks wanted, at least 1
     * @throws org.iommulab.api.platform.DmaFaultException when block 0 is denied, as
     *         {@link #translate} throws
     * @throws IllegalArgumentException when {@code count < 1} or {@code frames} is shorter
     * @since 1.3
     */
    default int translateRun(int streamId, long busAddr, AccessType access, long[] frames, int count) {
        checkRun(frames, count);
        frames[0] = translate(streamId, busAddr, access);
        return 1;
    }

    /**
     * The argument check of {@link #translateRun}, for overriding backends.
     *
     * @throws IllegalArgumentException when {@code count < 1} or {@code frames} holds fewer
     * @since 1.3
     */
    static void checkRun(long[] frames, int count) {
        if (frames == null || count < 1 || frames.length < count) {
            throw new IllegalArgumentException("a translation run needs 1 or more blocks and room for them, got "
                    + count + " into " + (frames == null ? "null" : frames.length + " frames"));
        }
    }
}
