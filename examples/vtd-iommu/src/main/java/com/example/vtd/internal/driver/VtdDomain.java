package com.example.vtd.internal.driver;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.iommulab.api.backend.BackendCounter;
import org.iommulab.api.backend.DmaDevice;
import org.iommulab.api.iommu.DomainType;
import org.iommulab.api.iommu.IommuDomain;
import org.iommulab.api.iommu.IommuErrno;
import org.iommulab.api.iommu.IotlbGather;
import org.iommulab.api.platform.PageAllocator;
import org.iommulab.api.platform.PhysicalMemory;
import org.iommulab.iopgtable.IoPgtableConfig;
import org.iommulab.iopgtable.IoPgtableFlushOps;
import org.iommulab.iopgtable.IoPgtableOps;

import com.example.vtd.internal.Seed;
import com.example.vtd.internal.format.SourceId;
import com.example.vtd.internal.pgtable.VtdSlConfig;
import com.example.vtd.internal.pgtable.VtdSlFormat;

/**
 * A VT-d DMA domain, Linux's {@code struct dmar_domain} with {@code intel_iommu_ops}' domain
 * operations: one second-level table written by the {@link VtdSlFormat} writer, and for each
 * remapping unit it is attached through, the domain ID it has there ({@code iommu_array} of
 * {@code struct iommu_domain_info}: DID and device count; the ID is taken on the first device
 * and given back with the last). Attaching points each of the device's requesters' context
 * entries at the table; TLB maintenance is queued invalidation on every unit the domain spans.
 *
 * <p>Locks: attach, detach and free hold the domain's lock; the table holds its own lock and
 * calls back {@link #tlbFlushWalk} inside it, which reads the attachments from an immutable
 * snapshot without the domain's lock, so the two locks are never taken in opposite orders.
 */
final class VtdDomain implements IommuDomain, IoPgtableFlushOps {
    /** A unit the domain is attached through, and its DID there. */
    private record Attachment(DmarUnit unit, int did) {
    }

    private final VtdIommuDriver driver;
    private final DomainType type;
    private final Seed seed;
    private final IoPgtableOps table;
    private final VtdSlConfig cfg;
    private final Map<DmarUnit, int[]> refs = new IdentityHashMap<>();
    private final List<DmaDevice> devices = new ArrayList<>();
    private final AtomicLong invalidations = new AtomicLong();
    private volatile Attachment[] attached = new Attachment[0];
    private boolean freed;

    private VtdDomain(VtdIommuDriver driver, DomainType type, VtdSlFormat format, int ias, int oas, PhysicalMemory mem,
            PageAllocator alloc, Seed seed) {
        this.driver = driver;
        this.type = type;
        this.seed = seed;
        this.table = format.allocate(IoPgtableConfig.of(VtdSlFormat.PGSIZES, ias, oas), mem, alloc, this);
        this.cfg = table == null ? null : (VtdSlConfig) table.config();
    }

    /** {@code intel_iommu_domain_alloc_paging}: a domain, or null when its top table cannot be had. */
    static VtdDomain create(VtdIommuDriver driver, DomainType type, VtdSlFormat format, int ias, int oas,
            PhysicalMemory mem, PageAllocator alloc, Seed seed) {
        VtdDomain d = new VtdDomain(driver, type, format, ias, oas, mem, alloc, seed);
        return d.table == null ? null : d;
    }

    @Override
    public DomainType type() {
        return type;
    }

    /** {@code dmar_domain_attach_device}: a DID on each unit, then each requester's context entry. */
    @Override
    public synchronized int attachDevice(DmaDevice device) {
        if (freed || !driver.isProbed(device)) {
            return IommuErrno.ENODEV;
        }
        if (devices.contains(device)) {
            return 0;
        }
        int[] sids = device.descriptor().streamIds();
        for (int i = 0; i < sids.length; i++) {
            DmarUnit unit = driver.unitFor(sids[i]);
            int did = attachUnit(unit);
            int rc = did < 0 ? IommuErrno.ENOSPC : unit.mapContext(SourceId.sourceId(sids[i]), did, table.ttb(), cfg.aw());
            if (rc < 0) {
                if (did >= 0) {
                    detachUnit(unit);
                }
                for (int j = i - 1; j >= 0; j--) {
                    DmarUnit u = driver.unitFor(sids[j]);
                    u.unmapContext(SourceId.sourceId(sids[j]));
                    detachUnit(u);
                }
                return rc;
            }
        }
        devices.add(device);
        return 0;
    }

    /** {@code device_block_translation}: each requester's context entry cleared and flushed. */
    @Override
    public synchronized void detachDevice(DmaDevice device) {
        if (!devices.remove(device)) {
            return;
        }
        for (int sid : device.descriptor().streamIds()) {
            DmarUnit unit = driver.unitFor(sid);
            unit.unmapContext(SourceId.sourceId(sid));
            detachUnit(unit);
        }
    }

    private int attachUnit(DmarUnit unit) {
        int[] r = refs.get(unit);
        if (r == null) {
            int did = unit.allocDid();
            if (did < 0) {
                return -1;
            }
            r = new int[] {did, 0};
            refs.put(unit, r);
            Attachment[] a = Arrays.copyOf(attached, attached.length + 1);
            a[a.length - 1] = new Attachment(unit, did);
            attached = a;
        }
        r[1]++;
        return r[0];
    }

    private void detachUnit(DmarUnit unit) {
        int[] r = refs.get(unit);
        if (r == null || --r[1] > 0) {
            return;
        }
        refs.remove(unit);
        attached = Arrays.stream(attached).filter(a -> a.unit() != unit).toArray(Attachment[]::new);
        unit.freeDid(r[0]);
    }

    @Override
    public int map(long iova, long paddr, long size, int prot) {
        return table.map(iova, paddr, size, prot);
    }

    @Override
    public long unmap(long iova, long size, IotlbGather gather) {
        return table.unmap(iova, size, gather);
    }

    /**
     * {@code intel_iommu_tlb_sync}: one page-selective invalidation covering what the gather
     * holds, on every unit (leaves only changed: IH = 1; this writer frees tables through
     * {@link #tlbFlushWalk}, never through the gather).
     */
    @Override
    public void iotlbSync(IotlbGather gather) {
        if (gather == null || gather.isEmpty()) {
            return;
        }
        invalidations.incrementAndGet();
        for (Attachment a : attached) {
            if (seed == Seed.FIRST_PAGE_ONLY) {
                a.unit().flushIotlbPages(a.did(), gather.start(), 0, true); // seeded: AM = 0
            } else {
                a.unit().flushIotlbRange(a.did(), gather.start(), gather.end(), true);
            }
        }
    }

    /** {@code intel_flush_iotlb_all}: a domain-selective invalidation on every unit. */
    @Override
    public void flushIotlbAll() {
        invalidations.incrementAndGet();
        for (Attachment a : attached) {
            a.unit().flushIotlbDomain(a.did());
        }
    }

    @Override
    public long iovaToPhys(long iova) {
        return table.iovaToPhys(iova);
    }

    @Override
    public long pgsizeBitmap() {
        return cfg.pgsizeBitmap();
    }

    @Override
    public long apertureStart() {
        return 0;
    }

    /** {@code __DOMAIN_MAX_ADDR(gaw)}. */
    @Override
    public long apertureEnd() {
        return (1L << cfg.ias()) - 1;
    }

    @Override
    public long counter(BackendCounter counter) {
        switch (counter) {
            case IOTLB_HITS: {
                long n = 0;
                for (Attachment a : attached) {
                    n += a.unit().hardware().hits(a.did());
                }
                return n;
            }
            case IOTLB_MISSES: {
                long n = 0;
                for (Attachment a : attached) {
                    n += a.unit().hardware().misses(a.did());
                }
                return n;
            }
            case IOTLB_INVALIDATIONS:
                return invalidations.get();
            default:
                return -1;
        }
    }

    /**
     * {@code intel_iommu_domain_free} / {@code domain_exit}: the domain has no device (every
     * context entry was cleared and its DID flushed and returned), so the tables go.
     */
    @Override
    public void free() {
        synchronized (this) {
            if (freed) {
                return;
            }
            if (!devices.isEmpty()) {
                throw new IllegalStateException("VT-d domain still has " + devices.size() + " device(s) attached");
            }
            freed = true;
        }
        table.free();
    }

    // ---- IoPgtableFlushOps: the writer's TLB maintenance ------------------------------------

    @Override
    public void tlbFlushAll() {
        flushIotlbAll();
    }

    /** The span's leaves and any cached walk: a PSI with IH = 0 on every unit. */
    @Override
    public void tlbFlushWalk(long iova, long size, long granule) {
        invalidations.incrementAndGet();
        for (Attachment a : attached) {
            a.unit().flushIotlbRange(a.did(), iova, iova + size - 1, false);
        }
    }

    @Override
    public void tlbAddPage(IotlbGather gather, long iova, long granule) {
        gather.add(iova, granule, granule);
    }

    @Override
    public String toString() {
        return "VT-d " + type + " domain, " + table;
    }
}
