package org.iommulab.platform.internal.dma;

import org.iommulab.api.dma.SgTable;
import org.iommulab.platform.internal.memory.AllocationMap;

/**
 * How many bytes of other live allocations a mapping lets the device reach because they share
 * the translation granules at its ends: an IOMMU maps whole granules, so a 64-byte kmalloc
 * buffer mapped for a device exposes the rest of its page, and whatever else the slab put there.
 * Only the first and last granule of each mapped range can hold such bytes; an allocation that
 * overlaps any range of the mapping is the mapping's own and never counts. Free bytes in those
 * granules do not count either (nothing lives there now). For an sg table each CPU entry is a
 * range; a granule shared by consecutive entries is measured once.
 *
 * <p>Meaningful only on an isolating backend (an IOMMU): without isolation the device reaches
 * all RAM anyway, so the caller does not ask. A bounced mapping (swiotlb behind an IOMMU) is
 * measured on the original buffer, which overstates it; the model cannot tell from outside the
 * backend. One instance per device, used under the device's table lock; allocates nothing.
 */
final class SubPageExposure implements AllocationMap.OwnAllocations {
    private final AllocationMap allocations;
    // The mapping being measured: one range, or the CPU entries of an sg table.
    private long from;
    private long to;
    private SgTable sg;
    private int nents;

    SubPageExposure(AllocationMap allocations) {
        this.allocations = allocations;
    }

    /** Bytes of other allocations in the partly mapped granules of {@code e}. */
    long measure(LiveMappings t, int e, int granuleShift) {
        long granule = 1L << granuleShift;
        long sum = 0;
        long last = -1;
        try {
            if (t.type(e) == MappingType.SCATTER_GATHER) {
                sg = t.sg(e);
                nents = t.callNents(e);
                for (int i = 0; i < nents; i++) {
                    long p = sg.cpuPhys(i);
                    long head = p & -granule;
                    long tail = (p + sg.cpuLength(i) - 1) & -granule;
                    if (p != head && head != last) {
                        sum += allocations.foreignBytes(head, head + granule, this);
                        last = head;
                    }
                    if (p + sg.cpuLength(i) != tail + granule && tail != last) {
                        sum += allocations.foreignBytes(tail, tail + granule, this);
                        last = tail;
                    }
                }
                return sum;
            }
            from = t.cpuAddr(e);
            to = t.cpuAddr(e) + t.size(e);
            long head = from & -granule;
            long tail = (to - 1) & -granule;
            if (from != head) {
                sum += allocations.foreignBytes(head, head + granule, this);
                last = head;
            }
            if (to != tail + granule && tail != last) {
                sum += allocations.foreignBytes(tail, tail + granule, this);
            }
            return sum;
        } finally {
            sg = null;
        }
    }

    /** The mapping's own allocations: those overlapping any of its ranges. */
    @Override
    public boolean owns(long start, long end) {
        if (sg == null) {
            return start < to && end > from;
        }
        for (int i = 0; i < nents; i++) {
            long p = sg.cpuPhys(i);
            if (start < p + sg.cpuLength(i) && end > p) {
                return true;
            }
        }
        return false;
    }
}
