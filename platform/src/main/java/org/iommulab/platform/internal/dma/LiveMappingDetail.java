package org.iommulab.platform.internal.dma;

import org.iommulab.api.dma.CoherentAllocation;
import org.iommulab.api.dma.SgTable;
import org.iommulab.platform.internal.checker.PhysRangeIndex;

/**
 * The side record of a {@link LiveMappings} entry: the rarely needed fields (an sg table, a
 * coherent buffer, a map site, a CPU-owned part, the checker's range nodes, a size of 4 GiB or
 * more), made the first time an entry needs one and kept per index (cleared, not dropped, when
 * the entry goes), so that the steady state allocates nothing and a table of plain single
 * mappings with the checker off carries none of them.
 */
final class LiveMappingDetail {
    /** The table of an sg mapping. */
    SgTable sg;
    /** CPU entries passed to map ({@code sg_call_ents}). */
    int callNents;
    /** DMA segments the mapping produced ({@code sg_mapped_ents}). */
    int mappedNents;
    /** The backend's own object for a coherent buffer, handed back on free. */
    CoherentAllocation coherent;
    /** Where the mapping was made (a stack frame), when map sites are recorded; else null. */
    Object mapSite;
    /** The physical bytes {@code [cpuFrom, cpuTo)} the CPU owns after a partial sync_for_cpu; empty when equal. */
    long cpuFrom;
    long cpuTo;
    /** An sg mapping's nodes in the checker's physical-range index (a single mapping's are found by its range). */
    PhysRangeIndex.Node<LiveMappings> physNodes;
    /** The size of an entry of 4 GiB or more (its {@code size} slot holds {@link LiveMappingStorage#BIG_SIZE}). */
    long bigSize;

    void clear() {
        sg = null;
        callNents = 0;
        mappedNents = 0;
        coherent = null;
        mapSite = null;
        cpuFrom = 0;
        cpuTo = 0;
        physNodes = null;
        bigSize = 0;
    }
}
