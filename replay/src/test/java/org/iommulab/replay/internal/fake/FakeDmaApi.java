package org.iommulab.replay.internal.fake;

import java.util.HashMap;
import java.util.Map;

import org.iommulab.api.dma.CoherentAllocation;
import org.iommulab.api.dma.DmaApi;
import org.iommulab.api.dma.DmaAttrs;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.dma.DmaMasks;
import org.iommulab.api.dma.DmaUsageException;
import org.iommulab.api.dma.SgTable;
import org.iommulab.api.platform.BusMaster;
import org.iommulab.api.platform.DeviceDescriptor;
import org.iommulab.api.platform.MemoryAccess;
import org.iommulab.api.platform.PageAllocator;
import org.iommulab.api.platform.Zone;

/**
 * A device's DMA API on one fake backend, with a dma-debug-like checker whose refusals use
 * Linux's wording (and change nothing). Counts into the device's statistics.
 */
final class FakeDmaApi implements DmaApi {
    private static final long GRANULE = 4096;

    private enum Type { SINGLE, RESOURCE, SG, COHERENT }

    /** One live mapping as the checker remembers it. */
    private record Entry(Type type, long dma, long size, DmaDirection dir, int nents) {
    }

    private final FakePlatform platform;
    private final DeviceDescriptor device;
    private final FakeBackend backend;
    private final long[] stats;
    private final Map<Long, Entry> live = new HashMap<>();
    private final Map<SgTable, Entry> liveSg = new HashMap<>();
    private long nextIova = 1L << 32;
    private long mask;

    FakeDmaApi(FakePlatform platform, DeviceDescriptor device, FakeBackend backend, long[] stats) {
        this.platform = platform;
        this.device = device;
        this.backend = backend;
        this.stats = stats;
        this.mask = device.dmaMask();
    }

    int liveCount() {
        return live.size() + liveSg.size();
    }

    private void count(org.iommulab.api.admin.Stat s, long n) {
        stats[s.ordinal()] += n;
    }

    @Override
    public DeviceDescriptor device() {
        return device;
    }

    @Override
    public String backendName() {
        return backend.backendName();
    }

    @Override
    public MemoryAccess cpu() {
        return platform.memory();
    }

    @Override
    public BusMaster busMaster() {
        throw new UnsupportedOperationException("no device-side DMA in replay tests");
    }

    @Override
    public int setMask(long m) {
        if (!DmaMasks.isValidMask(m)) {
            throw new IllegalArgumentException("bad mask");
        }
        mask = m;
        return 0;
    }

    @Override
    public int setCoherentMask(long m) {
        return setMask(m);
    }

    @Override
    public long mask() {
        return mask;
    }

    @Override
    public long coherentMask() {
        return mask;
    }

    @Override
    public long requiredMask() {
        return DmaMasks.bits(64);
    }

    @Override
    public long maxMappingSize() {
        return Long.MAX_VALUE;
    }

    @Override
    public long optMappingSize() {
        return 128 * 1024;
    }

    private static void args(long size, DmaDirection dir, int attrs) {
        if (size <= 0 || dir == null || dir == DmaDirection.NONE || !DmaAttrs.isKnown(attrs)) {
            throw new IllegalArgumentException("bad argument");
        }
    }

    /** The address a mapping of {@code [phys, phys+size)} gets on this backend. */
    private long place(long phys, long size) {
        switch (backend) {
            case DIRECT:
                return phys;
            case IOMMU: {
                long off = phys & (GRANULE - 1);
                long len = (off + size + GRANULE - 1) & -GRANULE;
                nextIova -= len;
                return nextIova + off;
            }
            default: {
                long slot = platform.allocator().allocPages((size + 4095) / 4096, Zone.DMA32);
                return slot == PageAllocator.NO_MEMORY ? DmaMasks.MAPPING_ERROR : slot;
            }
        }
    }

    private long single(Type type, long phys, long size, DmaDirection dir, int attrs) {
        args(size, dir, attrs);
        long dma = place(phys, size);
        if (dma == DmaMasks.MAPPING_ERROR) {
            count(org.iommulab.api.admin.Stat.MAP_FAILURES, 1);
            return dma;
        }
        if (backend == FakeBackend.SWIOTLB && type == Type.SINGLE) {
            count(org.iommulab.api.admin.Stat.BOUNCED_BYTES, size); // map always copies original -> bounce
        }
        live.put(dma, new Entry(type, dma, size, dir, 0));
        count(org.iommulab.api.admin.Stat.MAPS, 1);
        count(org.iommulab.api.admin.Stat.MAPPED_BYTES, size);
        return dma;
    }

    private void unsingle(Type type, long dma, long size, DmaDirection dir) {
        Entry e = live.get(dma);
        if (e == null || e.type() == Type.SG || e.type() == Type.COHERENT && type != Type.COHERENT) {
            if (e != null) {
                throw new DmaUsageException("DMA-API: device driver frees DMA memory with wrong function");
            }
            throw new DmaUsageException("DMA-API: device driver tries to free DMA memory it has not allocated");
        }
        if (e.type() != type) {
            throw new DmaUsageException("DMA-API: device driver frees DMA memory with wrong function");
        }
        if (e.size() != size) {
            throw new DmaUsageException("DMA-API: device driver frees DMA memory with different size");
        }
        if (type != Type.COHERENT && e.dir() != dir) {
            throw new DmaUsageException("DMA-API: device driver frees DMA memory with different direction");
        }
        live.remove(dma);
        if (backend == FakeBackend.SWIOTLB && type == Type.SINGLE) {
            if (dir.deviceWrites()) {
                count(org.iommulab.api.admin.Stat.BOUNCED_BYTES, size);
            }
            platform.allocator().free(dma);
        }
        count(org.iommulab.api.admin.Stat.UNMAPS, 1);
    }

    @Override
    public long mapPage(long pagePhys, long offset, long size, DmaDirection dir, int attrs) {
        if ((pagePhys & 4095) != 0) {
            throw new IllegalArgumentException("unaligned page");
        }
        return single(Type.SINGLE, pagePhys + offset, size, dir, attrs);
    }

    @Override
    public void unmapPage(long dmaAddr, long size, DmaDirection dir, int attrs) {
        unsingle(Type.SINGLE, dmaAddr, size, dir);
    }

    @Override
    public long mapPhys(long phys, long size, DmaDirection dir, int attrs) {
        return single(Type.SINGLE, phys, size, dir, attrs);
    }

    @Override
    public void unmapPhys(long dmaAddr, long size, DmaDirection dir, int attrs) {
        unsingle(Type.SINGLE, dmaAddr, size, dir);
    }

    @Override
    public long mapResource(long phys, long size, DmaDirection dir, int attrs) {
        args(size, dir, attrs);
        long dma = backend == FakeBackend.IOMMU ? place(phys, size) : phys;
        live.put(dma, new Entry(Type.RESOURCE, dma, size, dir, 0));
        count(org.iommulab.api.admin.Stat.MAPS, 1);
        return dma;
    }

    @Override
    public void unmapResource(long dmaAddr, long size, DmaDirection dir, int attrs) {
        unsingle(Type.RESOURCE, dmaAddr, size, dir);
    }

    @Override
    public boolean mappingError(long dmaAddr) {
        return dmaAddr == DmaMasks.MAPPING_ERROR;
    }

    @Override
    public int mapSg(SgTable sg, int nents, DmaDirection dir, int attrs) {
        args(1, dir, attrs);
        if (sg == null || nents < 1 || nents > sg.origNents()) {
            throw new IllegalArgumentException("bad nents");
        }
        if (sg.isMapped()) {
            throw new DmaUsageException("DMA-API: device driver maps an sg table that is already mapped");
        }
        int segs;
        if (backend == FakeBackend.IOMMU) {
            segs = mapSgIommu(sg, nents);
        } else {
            for (int i = 0; i < nents; i++) {
                long dma = place(sg.cpuPhys(i), sg.cpuLength(i));
                sg.setDmaSegment(i, dma, sg.cpuLength(i));
                if (backend == FakeBackend.SWIOTLB) {
                    count(org.iommulab.api.admin.Stat.BOUNCED_BYTES, sg.cpuLength(i));
                }
            }
            segs = nents;
        }
        sg.setNents(segs);
        liveSg.put(sg, new Entry(Type.SG, sg.dmaAddress(0), sg.totalDmaLength(), dir, nents));
        count(org.iommulab.api.admin.Stat.SG_MAPS, 1);
        return segs;
    }

    /** iommu_dma_map_sg + __finalise_sg, without padding and boundaries. */
    private int mapSgIommu(SgTable sg, int nents) {
        long total = 0;
        for (int i = 0; i < nents; i++) {
            total += (sg.cpuOffset(i) + sg.cpuLength(i) + GRANULE - 1) & -GRANULE;
        }
        nextIova -= total;
        long iova = nextIova;
        int cur = -1;
        long curLen = 0;
        long maxLen = device.maxSegmentSize();
        for (int i = 0; i < nents; i++) {
            long off = sg.cpuPhys(i) & (GRANULE - 1);
            long len = sg.cpuLength(i);
            long aligned = (off + len + GRANULE - 1) & -GRANULE;
            if (curLen != 0 && off == 0 && maxLen - curLen >= len) {
                curLen += len;
            } else {
                cur++;
                curLen = len;
                sg.setDmaSegment(cur, iova + off, 0);
            }
            sg.setDmaSegment(cur, sg.dmaAddressField(cur), (int) curLen);
            iova += aligned;
            if (len + off < aligned) {
                curLen = 0;
            }
        }
        return cur + 1;
    }

    private Entry sgEntry(SgTable sg, int nents, boolean unmap) {
        Entry e = liveSg.get(sg);
        if (e == null) {
            throw new DmaUsageException("DMA-API: device driver tries to " + (unmap ? "free" : "sync")
                    + " DMA memory it has not allocated");
        }
        if (e.nents() != nents) {
            throw new DmaUsageException("DMA-API: device driver " + (unmap ? "frees" : "syncs")
                    + " DMA sg list with different entry count");
        }
        return e;
    }

    @Override
    public void unmapSg(SgTable sg, int nents, DmaDirection dir, int attrs) {
        Entry e = sgEntry(sg, nents, true);
        if (e.dir() != dir) {
            throw new DmaUsageException("DMA-API: device driver frees DMA memory with different direction");
        }
        liveSg.remove(sg);
        if (backend == FakeBackend.SWIOTLB) {
            for (int i = 0; i < sg.nents(); i++) {
                platform.allocator().free(sg.dmaAddress(i));
            }
        }
        sg.invalidateDma();
        count(org.iommulab.api.admin.Stat.SG_UNMAPS, 1);
    }

    @Override
    public int mapSgtable(SgTable sgt, DmaDirection dir, int attrs) {
        int n = mapSg(sgt, sgt.origNents(), dir, attrs);
        return n > 0 ? 0 : -5;
    }

    private Entry covering(long dma) {
        for (Entry e : live.values()) {
            if (dma - e.dma() >= 0 && dma - e.dma() < e.size()) {
                return e;
            }
        }
        return null;
    }

    private void syncSingle(long dma, long size, DmaDirection dir) {
        Entry e = covering(dma);
        if (e == null) {
            // dma-debug's check_sync finds sg segments too: a single sync inside one is fine
            for (Map.Entry<SgTable, Entry> sg : liveSg.entrySet()) {
                for (int k = 0; k < sg.getKey().nents(); k++) {
                    long start = sg.getKey().dmaAddress(k);
                    if (dma - start >= 0 && dma + size <= start + sg.getKey().dmaLength(k)) {
                        count(org.iommulab.api.admin.Stat.SYNCS, 1);
                        return;
                    }
                }
            }
        }
        if (e == null) {
            throw new DmaUsageException("DMA-API: device driver tries to sync DMA memory it has not allocated");
        }
        if (dma + size > e.dma() + e.size()) {
            throw new DmaUsageException("DMA-API: device driver syncs DMA memory outside allocated range");
        }
        if (e.dir() != DmaDirection.BIDIRECTIONAL && e.dir() != dir) {
            throw new DmaUsageException("DMA-API: device driver syncs DMA memory with different direction");
        }
        count(org.iommulab.api.admin.Stat.SYNCS, 1);
    }

    @Override
    public void syncSingleForCpu(long dmaAddr, long size, DmaDirection dir) {
        syncSingle(dmaAddr, size, dir);
    }

    @Override
    public void syncSingleForDevice(long dmaAddr, long size, DmaDirection dir) {
        syncSingle(dmaAddr, size, dir);
    }

    @Override
    public void syncSgForCpu(SgTable sg, int nents, DmaDirection dir) {
        sgEntry(sg, nents, false);
        count(org.iommulab.api.admin.Stat.SYNCS, 1);
    }

    @Override
    public void syncSgForDevice(SgTable sg, int nents, DmaDirection dir) {
        sgEntry(sg, nents, false);
        count(org.iommulab.api.admin.Stat.SYNCS, 1);
    }

    @Override
    public CoherentAllocation allocCoherent(long size, int attrs) {
        long pages = platform.allocator().allocPages((size + 4095) / 4096, Zone.DMA32);
        if (pages == PageAllocator.NO_MEMORY) {
            return null;
        }
        long dma = backend == FakeBackend.IOMMU ? place(pages, size) : pages;
        live.put(dma, new Entry(Type.COHERENT, dma, size, null, 0));
        count(org.iommulab.api.admin.Stat.COHERENT_ALLOCS, 1);
        return new CoherentAllocation(pages, dma, size);
    }

    @Override
    public void freeCoherent(long size, long cpuAddress, long dmaHandle) {
        unsingle(Type.COHERENT, dmaHandle, size, null);
        platform.allocator().free(cpuAddress);
        count(org.iommulab.api.admin.Stat.COHERENT_FREES, 1);
    }
}
