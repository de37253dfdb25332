package org.iommulab.devices.internal.ds;

import org.iommulab.api.dma.DmaApi;
import org.iommulab.api.platform.PageAllocator;
import org.iommulab.devices.internal.DriverKind;
import org.iommulab.devices.internal.core.DeviceModels;
import org.iommulab.devices.internal.core.DeviceNames;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

/**
 * The NIC driver on the platform's NIC. Bound to {@value DeviceNames#NIC}'s DmaApi by a static
 * reference: a swap withdraws that service, which deactivates this component (the driver
 * releases everything), and the new service activates it again on the new backend.
 */
@Component(service = {}, immediate = true)
public final class NicComponent {
    private final DriverHost host;

    @Activate
    public NicComponent(BundleContext context,
            @Reference(name = "dma", target = "(" + DmaApi.DEVICE_PROPERTY + "=" + DeviceNames.NIC + ")") DmaApi dma,
            @Reference(name = "allocator") PageAllocator allocator,
            @Reference(name = "models") DeviceModels models) {
        host = new DriverHost(context, DriverKind.NIC, dma, allocator, models);
    }

    @Deactivate
    void deactivate() {
        host.close();
    }
}
