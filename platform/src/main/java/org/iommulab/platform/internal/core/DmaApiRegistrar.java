package org.iommulab.platform.internal.core;

import java.util.Map;

import org.iommulab.api.dma.DmaApi;

/**
 * Where the platform publishes a device's {@link DmaApi}: the OSGi service registry in the
 * running framework (the platform component registers through its BundleContext), a fake that
 * plays the driver in unit tests. Unregistering must release the driver before it returns, as
 * SCR deactivates a component with a static reference synchronously inside
 * {@code ServiceRegistration.unregister()}. The swap registers on its own thread (the new
 * driver starts there) and unregisters on a release thread of its own, which it waits for with
 * a bound.
 */
@FunctionalInterface
public interface DmaApiRegistrar {
    /** A registrar that publishes nothing (a platform without drivers). */
    DmaApiRegistrar NONE = (api, properties) -> () -> { };

    /**
     * Publishes {@code api} with {@code properties} ({@link DmaApi#DEVICE_PROPERTY},
     * {@link DmaApi#BACKEND_PROPERTY}); the device's driver may start on this thread.
     */
    Registration register(DmaApi api, Map<String, Object> properties);

    /** One published DMA API. */
    @FunctionalInterface
    interface Registration {
        /** Withdraws it; the driver using it has released it when this returns. Idempotent. */
        void unregister();

        /**
         * Who holds the DMA API now (the bundles using the service), for the message of a release
         * that does not end; called just before {@link #unregister()}.
         */
        default String holder() {
            return "not known to the registrar";
        }
    }
}
