package org.iommulab.platform.internal.ds;

import java.util.Hashtable;
import java.util.Map;

import org.iommulab.api.dma.DmaApi;
import org.iommulab.platform.internal.core.DmaApiRegistrar;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/**
 * Publishes a device's DMA API in the service registry. A driver component with a static
 * reference to it is activated inside {@code registerService} and deactivated inside
 * {@code unregister}, on the calling thread, which is what the swap protocol relies on.
 */
final class BundleContextRegistrar implements DmaApiRegistrar {
    private final BundleContext context;

    BundleContextRegistrar(BundleContext context) {
        this.context = context;
    }

    @Override
    public Registration register(DmaApi api, Map<String, Object> properties) {
        ServiceRegistration<DmaApi> reg = context.registerService(DmaApi.class, api, new Hashtable<>(properties));
        return () -> {
            try {
                reg.unregister();
            } catch (IllegalStateException alreadyGone) {
                // The framework withdrew it already (the bundle is stopping): nothing left to do.
            }
        };
    }
}
