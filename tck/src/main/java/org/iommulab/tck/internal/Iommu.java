package org.iommulab.tck.internal;

import org.iommulab.api.backend.BackendException;
import org.iommulab.api.dma.DmaMasks;
import org.iommulab.api.iommu.DomainType;
import org.iommulab.api.iommu.IommuDomain;
import org.iommulab.api.iommu.IommuDriver;
import org.iommulab.api.platform.AccessType;
import org.iommulab.api.platform.DeviceDescriptor;
import org.iommulab.api.platform.DmaFault;
import org.iommulab.api.platform.DmaFaultException;

/**
 * The backend's IOMMU driver driven by a check as iommu-dma drives it: devices of the TCK's own
 * probed, DMA domains allocated and attached, the hardware's translation port asked for each
 * device access. Everything is released when the rig closes.
 */
public final class Iommu {
    private final Rig rig;
    public final IommuDriver driver;

    Iommu(Rig rig, IommuDriver driver) {
        this.rig = rig;
        this.driver = driver;
    }

    /** A device with a fresh stream ID, probed by the driver; released when the rig closes. */
    public TckDevice probe(String role) {
        int sid = rig.backend.freshStreamId();
        DeviceDescriptor d = DeviceDescriptor.builder("tck-" + role + "-" + Integer.toHexString(sid)).streamIds(sid)
                .dmaMask(DmaMasks.bits(64)).build();
        TckDevice dev = new TckDevice(d, rig.memory, rig.allocator);
        Expect.that(driver.servesDevice(dev), () -> driver.name() + " does not serve stream " + Expect.hex(sid)
                + ", which its backend accepted (servesDevice and accepts disagree)");
        try {
            driver.probeDevice(dev);
        } catch (BackendException e) {
            throw Expect.fail(driver.name() + " refused to probe " + dev + ": " + e.getMessage());
        }
        rig.onClose("release " + dev, () -> driver.releaseDevice(dev));
        return dev;
    }

    /** A new DMA domain, as iommu-dma allocates for a device (strict); freed when the rig closes. */
    public Domain domain() {
        IommuDomain d = driver.allocDomain(DomainType.DMA);
        Expect.that(d != null, () -> driver.name() + ": allocDomain(DMA) returned null after a device was probed");
        Domain domain = new Domain(d, driver.name());
        rig.onClose("free a domain of " + driver.name(), domain::close);
        return domain;
    }

    /** What {@code dev}'s access at {@code iova} reaches, through the hardware's port. */
    public long translate(TckDevice dev, long iova, AccessType access) {
        return driver.translationPort(dev).translate(dev.sid(), iova, access);
    }

    /**
     * {@code dev}'s access at {@code iova}, which must fault: the driver must report the fault
     * once, for the device, at the address.
     */
    public DmaFault expectFault(TckDevice dev, long iova, AccessType access, String what) {
        int before = dev.faultCount();
        DmaFault f;
        try {
            long phys = translate(dev, iova, access);
            throw Expect.fail(what + ": " + access + " of IOVA " + Expect.hex(iova) + " translated to " + Expect.hex(phys)
                    + " instead of faulting");
        } catch (DmaFaultException e) {
            f = e.fault();
        }
        int reported = dev.faultCount() - before;
        Expect.that(reported == 1, () -> what + ": the fault at IOVA " + Expect.hex(iova) + " was reported " + reported
                + " times, not once (" + f + ")");
        Expect.that(f != null && dev.name().equals(f.device()), () -> what + ": the fault does not name device "
                + dev.name() + ": " + f);
        return f;
    }

    /** {@code dev}'s access at {@code iova}, which must reach {@code phys}. */
    public void expectTranslation(TckDevice dev, long iova, long phys, AccessType access, String what) {
        long got;
        try {
            got = translate(dev, iova, access);
        } catch (DmaFaultException e) {
            throw Expect.fail(what + ": " + access + " of IOVA " + Expect.hex(iova) + " faulted: " + e.fault());
        }
        long want = phys;
        Expect.that(got == want, () -> what + ": " + access + " of IOVA " + Expect.hex(iova) + " reached "
                + Expect.hex(got) + ", not " + Expect.hex(want));
    }
}
