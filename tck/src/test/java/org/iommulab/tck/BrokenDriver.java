package org.iommulab.tck;

import org.iommulab.api.backend.BackendCounter;
import org.iommulab.api.backend.DmaDevice;
import org.iommulab.api.iommu.DomainType;
import org.iommulab.api.iommu.IommuDomain;
import org.iommulab.api.iommu.IommuDriver;
import org.iommulab.api.iommu.IotlbGather;
import org.iommulab.modelkit.driver.ForwardingIommuDriver;

/**
 * A working IOMMU driver with one seeded fault in its domains, as a model author might write by
 * mistake: the kit must fail it.
 */
final class BrokenDriver extends ForwardingIommuDriver {
    enum Fault {
        /** {@code free} forgets the page tables (and everything else). */
        LEAK_TABLES,
        /** {@code iotlbSync} invalidates only the first page of the gathered range. */
        FIRST_PAGE_ONLY,
        /** {@code iovaToPhys} answers 0 for every page but the first of a mapping's granule-aligned 2 MiB. */
        IOVA_TO_PHYS_ZERO
    }

    private final IommuDriver driver;
    private final Fault fault;

    BrokenDriver(IommuDriver driver, Fault fault) {
        this.driver = driver;
        this.fault = fault;
    }

    @Override
    protected IommuDriver delegate() {
        return driver;
    }

    @Override
    public IommuDomain allocDomain(DomainType type) {
        IommuDomain d = driver.allocDomain(type);
        return d == null ? null : new Domain(d);
    }

    private final class Domain implements IommuDomain {
        private final IommuDomain d;

        Domain(IommuDomain d) {
            this.d = d;
        }

        @Override
        public DomainType type() {
            return d.type();
        }

        @Override
        public int attachDevice(DmaDevice device) {
            return d.attachDevice(device);
        }

        @Override
        public void detachDevice(DmaDevice device) {
            d.detachDevice(device);
        }

        @Override
        public int map(long iova, long paddr, long size, int prot) {
            return d.map(iova, paddr, size, prot);
        }

        @Override
        public long unmap(long iova, long size, IotlbGather gather) {
            return d.unmap(iova, size, gather);
        }

        @Override
        public void iotlbSync(IotlbGather gather) {
            if (fault == Fault.FIRST_PAGE_ONLY && !gather.isEmpty()) {
                IotlbGather first = new IotlbGather();
                first.add(gather.start(), 4096, 4096);
                d.iotlbSync(first);
                return;
            }
            d.iotlbSync(gather);
        }

        @Override
        public void flushIotlbAll() {
            d.flushIotlbAll();
        }

        @Override
        public long iovaToPhys(long iova) {
            long phys = d.iovaToPhys(iova);
            if (fault == Fault.IOVA_TO_PHYS_ZERO && (iova & 0x1f_f000L) != 0) {
                return 0;
            }
            return phys;
        }

        @Override
        public long pgsizeBitmap() {
            return d.pgsizeBitmap();
        }

        @Override
        public long apertureStart() {
            return d.apertureStart();
        }

        @Override
        public long apertureEnd() {
            return d.apertureEnd();
        }

        @Override
        public long counter(BackendCounter counter) {
            return d.counter(counter);
        }

        @Override
        public void free() {
            if (fault != Fault.LEAK_TABLES) {
                d.free();
            }
        }
    }
}
