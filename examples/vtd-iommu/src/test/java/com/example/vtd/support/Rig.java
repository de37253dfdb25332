package com.example.vtd.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import org.iommulab.api.backend.BackendException;
import org.iommulab.api.backend.TranslationPort;
import org.iommulab.api.iommu.DomainType;
import org.iommulab.api.iommu.IommuDomain;
import org.iommulab.api.iommu.IotlbGather;
import org.iommulab.api.platform.AccessType;
import org.iommulab.api.platform.PageAllocator;
import org.iommulab.api.platform.Zone;

import com.example.vtd.internal.Seed;
import com.example.vtd.internal.driver.VtdIommuDriver;
import com.example.vtd.internal.model.VtdHardware;

/**
 * The model and its driver wired to test memory, one device probed and attached to a DMA
 * domain: what iommu-dma does before a driver's first mapping.
 */
public final class Rig {
    public final TestMemory mem = new TestMemory();
    public final TestAllocator alloc = new TestAllocator();
    public final VtdHardware hw;
    public final VtdIommuDriver driver;
    public final TestDevice dev;
    public final IommuDomain domain;
    public final TranslationPort port;
    public final int sid;

    public Rig(Seed seed, int sid) {
        this(seed, sid, 64);
    }

    public Rig(Seed seed, int sid, int iotlbEntries) {
        this.sid = sid;
        hw = new VtdHardware(VtdIommuDriver.NAME, 48, 48, 4, iotlbEntries, 8, 18, seed);
        driver = new VtdIommuDriver(hw);
        dev = new TestDevice("dev" + Integer.toHexString(sid), mem, alloc, sid);
        try {
            driver.probeDevice(dev);
        } catch (BackendException e) {
            throw new AssertionError(e);
        }
        domain = driver.allocDomain(DomainType.DMA);
        assertNotNull(domain);
        assertEquals(0, domain.attachDevice(dev));
        port = driver.translationPort(dev);
    }

    /** {@code pages} fresh pages above 4 GiB. */
    public long buffer(int pages) {
        long b = alloc.allocPages(pages, Zone.NORMAL);
        assertEquals(true, b != PageAllocator.NO_MEMORY);
        return b;
    }

    public long read(long iova) {
        return port.translate(sid, iova, AccessType.READ);
    }

    public long write(long iova) {
        return port.translate(sid, iova, AccessType.WRITE);
    }

    /** A strict unmap, as iommu-dma does it: unmap, then iotlb_sync of the gather. */
    public long unmap(long iova, long size) {
        IotlbGather g = new IotlbGather();
        long n = domain.unmap(iova, size, g);
        domain.iotlbSync(g);
        return n;
    }
}
