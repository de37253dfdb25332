package org.iommulab.smmu.v2.internal.driver;

import java.util.LinkedHashSet;
import java.util.Set;

import org.iommulab.api.backend.BackendCounter;
import org.iommulab.api.backend.DmaDevice;
import org.iommulab.api.iommu.PageTableCensus;
import org.iommulab.api.iommu.DomainType;
import org.iommulab.api.iommu.IommuDomain;
import org.iommulab.api.iommu.IommuErrno;
import org.iommulab.api.iommu.IotlbGather;
import org.iommulab.iopgtable.lpae.LpaePageTable;
import org.iommulab.smmu.v2.internal.model.SmmuV2Model;
import org.iommulab.smmu.v2.internal.model.regs.Gr0;

/**
 * An SMMUv2 domain, Linux's {@code struct arm_smmu_domain}. A paging domain (DMA, DMA_FQ,
 * UNMANAGED) owns an LPAE table from the shared writer and, from its first attach on, a
 * context bank ({@code arm_smmu_init_domain_context}); its devices' S2CRs point at that bank.
 * An IDENTITY domain sets its devices' S2CRs to bypass, a BLOCKED one to fault (Linux's
 * {@code arm_smmu_attach_dev_type}). Thread-safe.
 */
final class SmmuV2Domain implements IommuDomain {
    private final SmmuV2Driver smmu;
    private final DomainType type;
    private final boolean stage1;
    private final LpaePageTable pgtable;
    private final ContextTlbOps tlb;
    private final Set<Master> masters = new LinkedHashSet<>();
    private ContextBankConfig cb;
    private boolean freed;

    /** A paging domain over {@code table}, whose TLB maintenance is {@code ops}. */
    SmmuV2Domain(SmmuV2Driver smmu, DomainType type, boolean stage1, LpaePageTable table, ContextTlbOps ops) {
        this.smmu = smmu;
        this.type = type;
        this.stage1 = stage1;
        this.pgtable = table;
        this.tlb = ops;
    }

    /** An IDENTITY or BLOCKED domain. */
    SmmuV2Domain(SmmuV2Driver smmu, DomainType type) {
        this(smmu, type, false, null, null);
    }

    @Override
    public DomainType type() {
        return type;
    }

    boolean paging() {
        return pgtable != null;
    }

    /** The context bank this domain programs, or -1 before its first attach. */
    synchronized int contextBank() {
        return cb == null ? -1 : cb.cbndx();
    }

    /** Linux {@code arm_smmu_attach_dev}: the domain's bank (set up on first use), then the S2CRs. */
    @Override
    public int attachDevice(DmaDevice device) {
        Master m = smmu.master(device);
        if (m == null) {
            return IommuErrno.ENODEV;
        }
        SmmuV2Domain old;
        synchronized (this) {
            if (freed) {
                return IommuErrno.EINVAL;
            }
            if (type == DomainType.IDENTITY) {
                smmu.streams().setType(m.smendx, Gr0.S2CR_TYPE_BYPASS, 0);
            } else if (type == DomainType.BLOCKED) {
                smmu.streams().setType(m.smendx, Gr0.S2CR_TYPE_FAULT, 0);
            } else {
                if (cb == null) {
                    int ret = initContext();
                    if (ret != 0) {
                        return ret;
                    }
                }
                smmu.streams().setType(m.smendx, Gr0.S2CR_TYPE_TRANS, cb.cbndx());
            }
            old = m.domain;
            m.domain = this;
            masters.add(m);
        }
        // Outside this domain's lock: two domains are never locked together.
        if (old != null && old != this) {
            old.forget(m);
        }
        return 0;
    }

    /** Linux {@code arm_smmu_init_domain_context}: a bank, its registers, its fault interrupt. */
    private int initContext() {
        SmmuFeatures f = smmu.features();
        int start = stage1 ? f.numS2ContextBanks() : 0;
        int idx = smmu.allocContextBank(start);
        if (idx < 0) {
            return IommuErrno.ENOSPC;
        }
        cb = ContextBankConfig.of(idx, stage1, pgtable.config(), pgtable.ttb());
        cb.write(smmu.io(), f.vmid16());
        tlb.bind(cb);
        return 0;
    }

    /** Linux attaches the blocking (or bypass) domain: the S2CRs go back to their idle type. */
    @Override
    public synchronized void detachDevice(DmaDevice device) {
        Master m = smmu.master(device);
        if (m == null || m.domain != this) {
            return;
        }
        smmu.streams().setType(m.smendx, smmu.streams().initType(), 0);
        m.domain = null;
        masters.remove(m);
    }

    /** {@code m} moved to another domain. */
    synchronized void forget(Master m) {
        masters.remove(m);
    }

    /** Devices attached now, for the sync-timeout warning. */
    synchronized DmaDevice[] devices() {
        return masters.stream().map(x -> x.device).toArray(DmaDevice[]::new);
    }

    @Override
    public int map(long iova, long paddr, long size, int prot) {
        if (pgtable == null || freed) {
            return IommuErrno.EINVAL;
        }
        return pgtable.map(iova, paddr, size, prot);
    }

    @Override
    public long unmap(long iova, long size, IotlbGather gather) {
        if (pgtable == null || freed) {
            return 0;
        }
        return pgtable.unmap(iova, size, gather);
    }

    /**
     * Linux {@code arm_smmu_iotlb_sync}: the leaves were invalidated as they were unmapped
     * (TLBIVAL, last level only); wait for it. A table the writer unlinked was flushed at all
     * levels before it was freed ({@link ContextTlbOps#tlbFlushWalk}), so there is nothing more.
     */
    @Override
    public void iotlbSync(IotlbGather gather) {
        if (pgtable == null || gather == null || gather.queued() || gather.isEmpty()) {
            return;
        }
        tlb.sync();
    }

    /** Linux {@code arm_smmu_flush_iotlb_all}. */
    @Override
    public void flushIotlbAll() {
        if (pgtable == null) {
            return;
        }
        tlb.tlbFlushAll();
    }

    /**
     * Linux {@code arm_smmu_iova_to_phys}: the hardware's answer (ATS1PR, PAR) for an attached
     * stage-1 domain when ID0 offers translation operations, else the table's.
     */
    /** The census walk of the domain's LPAE tables ({@link LpaePageTable#census()}); null without tables. */
    @Override
    public PageTableCensus pageTableCensus() {
        LpaePageTable t = pgtable;
        return t == null ? null : t.census();
    }

    @Override
    public long iovaToPhys(long iova) {
        if (pgtable == null) {
            return type == DomainType.IDENTITY ? iova : 0;
        }
        int bank;
        synchronized (this) {
            bank = cb == null ? -1 : cb.cbndx();
        }
        if (stage1 && bank >= 0 && smmu.features().transOps()) {
            return smmu.iovaToPhysHard(bank, iova, pgtable);
        }
        return pgtable.iovaToPhys(iova);
    }

    @Override
    public long pgsizeBitmap() {
        return pgtable == null ? smmu.pgsizeBitmap() : pgtable.config().pgsizeBitmap();
    }

    @Override
    public long apertureStart() {
        return 0;
    }

    @Override
    public long apertureEnd() {
        return pgtable == null ? -1L >>> 1 : (1L << pgtable.config().ias()) - 1;
    }

    @Override
    public long counter(BackendCounter counter) {
        int bank = contextBank();
        if (bank < 0) {
            return -1;
        }
        SmmuV2Model.ContextStats st = smmu.hw().stats(bank);
        return switch (counter) {
            case IOTLB_HITS -> st.hits();
            case IOTLB_MISSES -> st.misses();
            case IOTLB_INVALIDATIONS -> tlb.invalidations();
            case STALE_TRANSLATIONS -> st.staleHits();
            default -> -1;
        };
    }

    /**
     * Linux {@code arm_smmu_destroy_domain_context} and {@code free_io_pgtable_ops}: disable the
     * bank, invalidate its TLB, free the tables and the bank.
     *
     * @throws IllegalStateException while a device is attached
     */
    @Override
    public synchronized void free() {
        if (freed) {
            return;
        }
        if (!masters.isEmpty()) {
            throw new IllegalStateException("SMMUv2 domain still has " + masters.size() + " device(s) attached");
        }
        freed = true;
        if (pgtable == null) {
            return;
        }
        if (cb != null) {
            ContextBankConfig.disable(smmu.io(), cb.cbndx());
            tlb.tlbFlushAll();
            tlb.bind(null);
            smmu.freeContextBank(cb.cbndx());
        }
        pgtable.free();
    }

    @Override
    public String toString() {
        return "smmu-v2 " + type + (pgtable == null ? "" : (stage1 ? " stage 1 " : " stage 2 ") + pgtable);
    }
}
