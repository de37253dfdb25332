package org.iommulab.modelkit.driver;

import org.iommulab.api.backend.BackendException;
import org.iommulab.api.backend.DmaDevice;
import org.iommulab.api.backend.TranslationPort;
import org.iommulab.api.iommu.DomainType;
import org.iommulab.api.iommu.IommuCapability;
import org.iommulab.api.iommu.IommuDomain;
import org.iommulab.api.iommu.IommuDriver;
import org.iommulab.api.iommu.IommuResvRegion;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * An {@link IommuDriver} that forwards every call to another: the shape of a hardware-model
 * bundle's thin DS component, which registers itself as the service and forwards to the plain
 * driver object its tests build with {@code new}.
 *
 * <p>Thread-safe exactly as far as the delegate is: it adds no state of its own. Extended by
 * model bundles (hence consumer type).
 */
@ConsumerType
public abstract class ForwardingIommuDriver implements IommuDriver {
    /** The driver every call goes to. */
    protected abstract IommuDriver delegate();

    @Override
    public String name() {
        return delegate().name();
    }

    @Override
    public void probeDevice(DmaDevice device) throws BackendException {
        delegate().probeDevice(device);
    }

    @Override
    public void releaseDevice(DmaDevice device) {
        delegate().releaseDevice(device);
    }

    @Override
    public boolean servesDevice(DmaDevice device) {
        return delegate().servesDevice(device);
    }

    @Override
    public IommuDomain allocDomain(DomainType type) {
        return delegate().allocDomain(type);
    }

    @Override
    public long pgsizeBitmap() {
        return delegate().pgsizeBitmap();
    }

    @Override
    public boolean capable(IommuCapability capability) {
        return delegate().capable(capability);
    }

    @Override
    public TranslationPort translationPort(DmaDevice device) {
        return delegate().translationPort(device);
    }

    @Override
    public java.util.List<IommuResvRegion> resvRegions(DmaDevice device) {
        return delegate().resvRegions(device);
    }
}
