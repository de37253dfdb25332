package org.iommulab.smmu.v3.internal.driver;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

import org.iommulab.api.backend.BackendCounter;
import org.iommulab.api.backend.DmaDevice;
import org.iommulab.api.iommu.DomainType;
import org.iommulab.api.iommu.IommuDomain;
import org.iommulab.api.iommu.IommuErrno;
import org.iommulab.api.iommu.IotlbGather;

/**
 * The identity and blocked domains, Linux's {@code arm_smmu_identity_domain} (STE bypass,
 * {@code arm_smmu_make_bypass_ste}) and {@code arm_smmu_blocked_domain} (STE abort,
 * {@code arm_smmu_make_abort_ste}): no page table, so nothing can be mapped.
 */
final class StaticDomain implements IommuDomain, AttachedDomain {
    private final SmmuV3Driver driver;
    private final DomainType type;
    private final Set<Master> attached = Collections.newSetFromMap(new IdentityHashMap<>());

    StaticDomain(SmmuV3Driver driver, DomainType type) {
        this.driver = driver;
        this.type = type;
    }

    @Override
    public DomainType type() {
        return type;
    }

    @Override
    public synchronized int attachDevice(DmaDevice device) {
        Master m = driver.master(device);
        if (m == null) {
            return IommuErrno.ENODEV;
        }
        driver.attach(m, this);
        attached.add(m);
        return 0;
    }

    @Override
    public synchronized void detachDevice(DmaDevice device) {
        Master m = driver.master(device);
        if (m != null && attached.remove(m)) {
            driver.detach(m, this);
        }
    }

    @Override
    public void makeSte(Master master, long[] ste) {
        if (type == DomainType.IDENTITY) {
            SteEntries.bypass(ste);
        } else {
            SteEntries.abort(ste);
        }
    }

    @Override
    public boolean makeCd(long[] cd) {
        return false;
    }

    @Override
    public synchronized void released(Master master) {
        attached.remove(master);
    }

    @Override
    public int map(long iova, long paddr, long size, int prot) {
        return IommuErrno.EINVAL;
    }

    @Override
    public long unmap(long iova, long size, IotlbGather gather) {
        return 0;
    }

    @Override
    public void iotlbSync(IotlbGather gather) {
    }

    @Override
    public void flushIotlbAll() {
    }

    @Override
    public long iovaToPhys(long iova) {
        return type == DomainType.IDENTITY ? iova : 0;
    }

    @Override
    public long pgsizeBitmap() {
        return driver.pgsizeBitmap();
    }

    @Override
    public long apertureStart() {
        return 0;
    }

    @Override
    public long apertureEnd() {
        return type == DomainType.IDENTITY ? (1L << driver.hw().info.oas) - 1 : 0;
    }

    @Override
    public long counter(BackendCounter counter) {
        return -1;
    }

    @Override
    public synchronized void free() {
        if (!attached.isEmpty()) {
            throw new IllegalStateException(type + " domain still has " + attached.size() + " device(s) attached");
        }
    }
}
