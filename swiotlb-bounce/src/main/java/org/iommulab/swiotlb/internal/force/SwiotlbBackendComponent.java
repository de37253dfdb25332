package org.iommulab.swiotlb.internal.force;

import org.iommulab.api.backend.BackendException;
import org.iommulab.api.backend.DeviceBinding;
import org.iommulab.api.backend.DmaBackend;
import org.iommulab.api.backend.DmaDevice;
import org.iommulab.api.swiotlb.SwiotlbPool;
import org.iommulab.swiotlb.internal.direct.DmaDirectBackend;
import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The {@code swiotlb} backend service: dma-direct with Linux's {@code swiotlb=force}, every
 * streaming mapping bounced through the pool. Ranked above {@code direct} and below the IOMMU
 * backends. It holds the pool statically, so a new pool (a new configuration) re-creates it
 * and the platform moves its devices off and back.
 */
@Component(service = DmaBackend.class, property = {
        DmaBackend.NAME_PROPERTY + "=" + SwiotlbBackendComponent.NAME,
        Constants.SERVICE_RANKING + ":Integer=10",
        // No isolation: the device reaches any RAM, mapped or not.
        DmaBackend.ISOLATION_PROPERTY + ":Boolean=false" })
public final class SwiotlbBackendComponent implements DmaBackend {
    public static final String NAME = "swiotlb";

    private final DmaDirectBackend backend;

    @Activate
    public SwiotlbBackendComponent(@Reference(name = "pool") SwiotlbPool pool) {
        this.backend = create(pool);
    }

    /** The plain swiotlb backend over {@code pool}, as this component builds it (for tests). */
    public static DmaDirectBackend create(SwiotlbPool pool) {
        if (pool == null) {
            throw new IllegalArgumentException("the swiotlb backend needs a pool");
        }
        return new DmaDirectBackend(NAME, true, () -> pool);
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
