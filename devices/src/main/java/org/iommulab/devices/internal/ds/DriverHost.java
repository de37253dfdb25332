package org.iommulab.devices.internal.ds;

import java.util.Hashtable;

import org.iommulab.api.dma.DmaApi;
import org.iommulab.api.platform.PageAllocator;
import org.iommulab.devices.Workload;
import org.iommulab.devices.internal.DriverKind;
import org.iommulab.devices.internal.core.DeviceDriver;
import org.iommulab.devices.internal.core.DeviceModels;
import org.osgi.annotation.bundle.Capability;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/**
 * What every driver component does: probe the driver when its device's DmaApi appears, publish
 * its {@link Workload} and, when the DmaApi goes, withdraw the workload and remove the driver.
 *
 * <p>The workload is registered by hand rather than as the component's DS service because its
 * {@code iommulab.backend} property is only known from the DmaApi the component got, and DS
 * gives a component no way to set its own service properties from its references.
 */
// Registered by hand, so declared for resolvers (bnd derives capabilities only from DS services).
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=\"org.iommulab.devices.Workload\"",
        uses = Workload.class)
final class DriverHost {
    private final DeviceDriver driver;
    private final ServiceRegistration<Workload> registration;

    DriverHost(BundleContext context, DriverKind kind, DmaApi api, PageAllocator allocator, DeviceModels models) {
        driver = kind.create(api, allocator, models);
        driver.start();
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(Workload.NAME_PROPERTY, driver.name());
        props.put(DmaApi.DEVICE_PROPERTY, driver.deviceName());
        props.put(DmaApi.BACKEND_PROPERTY, driver.backendName());
        props.put("service.description", "iommulab workload " + driver.name() + " on " + driver.deviceName() + " via "
                + driver.backendName());
        ServiceRegistration<Workload> reg;
        try {
            reg = context.registerService(Workload.class, driver, props);
        } catch (RuntimeException e) {
            driver.stop();
            throw e;
        }
        registration = reg;
    }

    /** Withdraws the workload first (no new runs find it), then removes the driver. */
    void close() {
        try {
            registration.unregister();
        } catch (IllegalStateException alreadyGone) {
            // The framework withdrew it while stopping the bundle.
        }
        driver.stop();
    }
}
