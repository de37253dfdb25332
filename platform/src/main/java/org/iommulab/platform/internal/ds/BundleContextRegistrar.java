package org.iommulab.platform.internal.ds;

import java.util.Hashtable;
import java.util.Map;

import org.iommulab.api.dma.DmaApi;
import org.iommulab.platform.internal.core.DmaApiRegistrar;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/**
 * Publishes a device's DMA API in the service registry. A driver component with a static
 * reference to it is activated inside {@code registerService} and deactivated inside
 * {@code unregister}, on the calling thread, which is what the swap protocol relies on: it
 * registers on the swapping thread and unregisters on a release thread it waits for with a bound.
 */
final class BundleContextRegistrar implements DmaApiRegistrar {
    private final BundleContext context;

    BundleContextRegistrar(BundleContext context) {
        this.context = context;
    }

    @Override
    public Registration register(DmaApi api, Map<String, Object> properties) {
        ServiceRegistration<DmaApi> reg = context.registerService(DmaApi.class, api, new Hashtable<>(properties));
        return new Registration() {
            @Override
            public void unregister() {
                try {
                    reg.unregister();
                } catch (IllegalStateException alreadyGone) {
                    // The framework withdrew it already (the bundle is stopping): nothing left to do.
                }
            }

            @Override
            public String holder() {
                try {
                    Bundle[] users = reg.getReference().getUsingBundles();
                    if (users == null || users.length == 0) {
                        return "no bundle uses the service";
                    }
                    StringBuilder b = new StringBuilder();
                    for (Bundle u : users) {
                        b.append(b.length() == 0 ? "bundle " : ", bundle ").append(u.getSymbolicName())
                                .append(" [").append(u.getBundleId()).append("]");
                    }
                    return b.toString();
                } catch (IllegalStateException gone) {
                    return "the service was withdrawn already";
                }
            }
        };
    }
}
