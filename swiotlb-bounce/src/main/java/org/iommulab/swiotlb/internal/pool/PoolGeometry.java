package org.iommulab.swiotlb.internal.pool;

import static org.iommulab.api.swiotlb.SwiotlbPool.IO_TLB_SEGSIZE;
import static org.iommulab.api.swiotlb.SwiotlbPool.IO_TLB_SHIFT;
import static org.iommulab.api.swiotlb.SwiotlbPool.IO_TLB_SIZE;

/**
 * How many slots and areas a pool of a requested size gets, rounded as Linux rounds the
 * {@code swiotlb=} parameters: {@code swiotlb_adjust_size} (slots aligned to a segment),
 * {@code swiotlb_adjust_nareas} (areas a power of two, 0 meaning one per CPU as
 * {@code num_possible_cpus()}), {@code round_up_default_nslabs} (at least one segment per
 * area, then a power of two) and {@code limit_nareas}. Immutable.
 */
public final class PoolGeometry {
    /** Linux {@code IO_TLB_DEFAULT_SIZE}: 64 MiB. */
    public static final long DEFAULT_SIZE = 64L << 20;
    /** Linux {@code IO_TLB_MIN_SLABS}: 1 MiB, the smallest pool worth having. */
    public static final long MIN_SIZE = 1L << 20;
    /** Upper bound of this model (the pool must fit below 4 GiB with room to spare). */
    public static final long MAX_SIZE = 1L << 30;
    /** Upper bound of this model on areas (Linux: one per possible CPU). */
    public static final int MAX_AREAS = 1024;

    private final int nslabs;
    private final int nareas;

    private PoolGeometry(int nslabs, int nareas) {
        this.nslabs = nslabs;
        this.nareas = nareas;
    }

    /**
     * The geometry for a pool of about {@code sizeBytes} with {@code areas} areas (0: one per
     * available processor of the host). The platform's pool uses {@link #of(long, int, int)}
     * with the simulated CPU count instead, so that its geometry does not depend on the host.
     *
     * @throws IllegalArgumentException for a size outside [1 MiB, 1 GiB] or areas outside
     *         [0, 1024]; the rounded size may still exceed 1 GiB only if areas force it, which
     *         is refused too
     */
    public static PoolGeometry of(long sizeBytes, int areas) {
        return of(sizeBytes, areas, Runtime.getRuntime().availableProcessors());
    }

    /**
     * The geometry for a pool of about {@code sizeBytes} with {@code areas} areas, 0 meaning one
     * per CPU of a machine of {@code cpus} CPUs (Linux: {@code num_possible_cpus()}).
     */
    public static PoolGeometry of(long sizeBytes, int areas, int cpus) {
        if (cpus < 1) {
            throw new IllegalArgumentException("a machine has at least one CPU, got " + cpus);
        }
        if (sizeBytes < MIN_SIZE || sizeBytes > MAX_SIZE) {
            throw new IllegalArgumentException("swiotlb pool size must be " + MIN_SIZE + ".." + MAX_SIZE
                    + " bytes, got " + sizeBytes);
        }
        if (areas < 0 || areas > MAX_AREAS) {
            throw new IllegalArgumentException("swiotlb areas must be 0 (one per CPU).." + MAX_AREAS + ", got " + areas);
        }
        // swiotlb_adjust_size: ALIGN(size, IO_TLB_SIZE) >> IO_TLB_SHIFT, aligned to a segment.
        long nslabs = alignUp(alignUp(sizeBytes, IO_TLB_SIZE) >>> IO_TLB_SHIFT, IO_TLB_SEGSIZE);
        // swiotlb_adjust_nareas: 0 becomes 1 (here: the CPU count, as at boot), then a power of two.
        int nareas = areas == 0 ? cpus : areas;
        nareas = roundUpPowerOfTwo(Math.min(nareas, MAX_AREAS));
        // round_up_default_nslabs: at least one segment per area, and a power of two.
        if (nslabs < (long) IO_TLB_SEGSIZE * nareas) {
            nslabs = (long) IO_TLB_SEGSIZE * nareas;
        }
        nslabs = roundUpPowerOfTwo(nslabs);
        // limit_nareas: no area smaller than a segment (already true after the rounding above).
        if (nslabs < (long) nareas * IO_TLB_SEGSIZE) {
            nareas = (int) (nslabs / IO_TLB_SEGSIZE);
        }
        if ((nslabs << IO_TLB_SHIFT) > MAX_SIZE) {
            throw new IllegalArgumentException("swiotlb pool of " + sizeBytes + " bytes and " + areas
                    + " areas rounds up to " + (nslabs << IO_TLB_SHIFT) + " bytes, above " + MAX_SIZE);
        }
        return new PoolGeometry((int) nslabs, nareas);
    }

    private static long alignUp(long x, long a) {
        return (x + a - 1) & -a;
    }

    private static int roundUpPowerOfTwo(int x) {
        return x <= 1 ? 1 : Integer.highestOneBit(x - 1) << 1;
    }

    private static long roundUpPowerOfTwo(long x) {
        return x <= 1 ? 1 : Long.highestOneBit(x - 1) << 1;
    }

    /** Linux {@code nslabs}: slots in the pool. */
    public int nslabs() {
        return nslabs;
    }

    /** Linux {@code nareas}. */
    public int nareas() {
        return nareas;
    }

    /** Bytes of memory the pool needs. */
    public long bytes() {
        return (long) nslabs << IO_TLB_SHIFT;
    }

    @Override
    public String toString() {
        return nslabs + " slots (" + (bytes() >> 20) + " MiB) in " + nareas + " areas";
    }
}
