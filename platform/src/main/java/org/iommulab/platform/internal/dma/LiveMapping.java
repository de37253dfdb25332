package org.iommulab.platform.internal.dma;

import org.iommulab.api.dma.CoherentAllocation;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.dma.SgTable;
import org.iommulab.platform.internal.checker.PhysRangeIndex;

/**
 * One live mapping or coherent buffer of a device, dma-debug's {@code struct dma_debug_entry}.
 * Pooled and reused by {@link LiveMappings}: read its fields only under the table's lock and
 * copy what is needed before letting go, since a removed entry is recycled.
 */
public final class LiveMapping {
    MappingType type;
    /** DMA address (first segment for an sg mapping, the handle for a coherent buffer). */
    long dmaAddr;
    /** Bytes mapped: the size, the sg entries' total, or the coherent size. */
    long size;
    DmaDirection dir;
    /** Physical (CPU) address: the mapped phys, the coherent CPU address; unused for sg. */
    long cpuAddr;
    int attrs;

    /** Next entry in the same hash bucket, or in the free pool. */
    LiveMapping next;

    // ---- the checker's state (DeviceChecker) ---------------------------------------------------

    /**
     * dma-debug's {@code map_err_type}: false while a single or resource mapping's address was
     * never passed to {@code dma_mapping_error} (MAP_ERR_NOT_CHECKED); true once it was, and
     * always for sg and coherent entries (MAP_ERR_CHECK_NOT_APPLICABLE).
     */
    boolean errorChecked;
    /** The mapping's nodes in the device's physical-range index (streaming RAM mappings). */
    PhysRangeIndex.Node<LiveMapping> physNodes;
    /** The CPU owns the whole buffer (an sg table synced for the CPU). */
    boolean cpuOwnsAll;
    /** A CPU access to the device-owned buffer was reported since the last change of owner. */
    boolean ownedReported;

    /**
     * What only some entries need (an sg table, a coherent buffer, a map site, a CPU-owned
     * part): attached the first time an entry needs it and kept, cleared, when the pooled entry
     * is reused, so a steady state allocates nothing while a plain single mapping, the common
     * case, carries none of it (64 bytes an entry instead of 96).
     */
    private Detail detail;

    /** The rarely needed fields of an entry. */
    private static final class Detail {
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

        void clear() {
            sg = null;
            callNents = 0;
            mappedNents = 0;
            coherent = null;
            mapSite = null;
            cpuFrom = 0;
            cpuTo = 0;
        }
    }

    private Detail detail() {
        Detail d = detail;
        if (d == null) {
            d = new Detail();
            detail = d;
        }
        return d;
    }

    /** Records an sg mapping's table and counts. */
    void setSg(SgTable table, int callNents, int mappedNents) {
        Detail d = detail();
        d.sg = table;
        d.callNents = callNents;
        d.mappedNents = mappedNents;
    }

    void setCoherent(CoherentAllocation buffer) {
        detail().coherent = buffer;
    }

    void setMapSite(Object site) {
        if (site != null || detail != null) {
            detail().mapSite = site;
        }
    }

    /** Where the mapping was made, or null. */
    Object mapSite() {
        return detail == null ? null : detail.mapSite;
    }

    /** First physical byte the CPU owns after a partial sync_for_cpu (see {@link #cpuTo()}). */
    long cpuFrom() {
        return detail == null ? 0 : detail.cpuFrom;
    }

    /** End of the part the CPU owns; equal to {@link #cpuFrom()} when it owns none. */
    long cpuTo() {
        return detail == null ? 0 : detail.cpuTo;
    }

    void setCpuRange(long from, long to) {
        if (from != 0 || to != 0 || detail != null) {
            Detail d = detail();
            d.cpuFrom = from;
            d.cpuTo = to;
        }
    }

    LiveMapping() {
    }

    public MappingType type() {
        return type;
    }

    public long dmaAddr() {
        return dmaAddr;
    }

    public long size() {
        return size;
    }

    public DmaDirection dir() {
        return dir;
    }

    public long cpuAddr() {
        return cpuAddr;
    }

    public int attrs() {
        return attrs;
    }

    public SgTable sg() {
        return detail == null ? null : detail.sg;
    }

    public int callNents() {
        return detail == null ? 0 : detail.callNents;
    }

    public int mappedNents() {
        return detail == null ? 0 : detail.mappedNents;
    }

    public CoherentAllocation coherent() {
        return detail == null ? null : detail.coherent;
    }

    /** True when {@code addr} lies in {@code [dmaAddr, dmaAddr+size)} (unsigned). */
    boolean contains(long addr) {
        return Long.compareUnsigned(addr, dmaAddr) >= 0 && Long.compareUnsigned(addr - dmaAddr, size) < 0;
    }

    void clear() {
        type = null;
        dir = null;
        next = null;
        dmaAddr = 0;
        size = 0;
        cpuAddr = 0;
        attrs = 0;
        errorChecked = false;
        physNodes = null;
        cpuOwnsAll = false;
        ownedReported = false;
        if (detail != null) {
            detail.clear();
        }
    }

    @Override
    public String toString() {
        return DmaDebug.describe(this);
    }
}
