package org.iommulab.swiotlb.internal.direct;

import java.util.concurrent.atomic.AtomicReference;

import org.iommulab.api.backend.BackendException;
import org.iommulab.api.backend.DeviceBinding;
import org.iommulab.api.backend.DmaBackend;
import org.iommulab.api.backend.DmaDevice;
import org.iommulab.api.swiotlb.SwiotlbPool;
import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * The {@code direct} backend service: dma-direct, the lowest-ranked backend (a machine without
 * an IOMMU). It uses the swiotlb pool when one is registered, for buffers a device cannot
 * reach, and follows the pool as it comes and goes without being re-created.
 */
@Component(service = DmaBackend.class, property = {
        DmaBackend.NAME_PROPERTY + "=" + DirectBackendComponent.NAME,
        Constants.SERVICE_RANKING + ":Integer=0",
        // No isolation: the device reaches any RAM, mapped or not.
        DmaBackend.ISOLATION_PROPERTY + ":Boolean=false" })
public final class DirectBackendComponent implements DmaBackend {
    public static final String NAME = "direct";

    private final AtomicReference<SwiotlbPool> pool = new AtomicReference<>();
    private final DmaDirectBackend backend = new DmaDirectBackend(NAME, false, pool::get);

    @Reference(name = "pool", cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindPool(SwiotlbPool p) {
        pool.set(p);
    }

    void unbindPool(SwiotlbPool p) {
        // A greedy rebind binds the new pool before unbinding the old one.
        pool.compareAndSet(p, null);
    }

    @Override
    public String name() {
        return backend.name();
    }

    @Override
    public boolean accepts(DmaDevice device) {
        return backend.accepts(device);
    }

    @Override
    public DeviceBinding attach(DmaDevice device) throws BackendException {
        return backend.attach(device);
    }
}
