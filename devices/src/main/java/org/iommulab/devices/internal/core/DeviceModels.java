package org.iommulab.devices.internal.core;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

import org.iommulab.api.admin.PlatformAdmin;
import org.iommulab.api.platform.BusMaster;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The hardware: one model per device, made on first use and kept while the device exists, so
 * that a device's state (a card's or a namespace's contents) outlives its driver being
 * released and created again around a swap, as hardware outlives driver rebinding. A model
 * reaches memory only through the bus master of the driver that programs it
 * ({@code DmaApi.busMaster()}, handed over per queue, ring or command), so a released driver's
 * DMA is refused. A device that was removed and added again gets a new {@link BusMaster} from
 * the platform, which tells this registry to make a new model.
 *
 * <p>Registered under this class for the drivers of this bundle; tests build it with
 * {@code new}.
 */
@Component(service = DeviceModels.class)
public final class DeviceModels {
    private final PlatformAdmin admin;
    private final Map<String, Entry> models = new HashMap<>();

    @Activate
    public DeviceModels(@Reference(name = "platform") PlatformAdmin admin) {
        if (admin == null) {
            throw new IllegalArgumentException("device models need the platform");
        }
        this.admin = admin;
    }

    /**
     * The model of {@code device}, of type {@code type}, made by {@code factory} when there is
     * none yet for the device as it exists now.
     *
     * @throws IllegalArgumentException for an unknown device, or one that already has a model of another type
     */
    public synchronized <M> M model(String device, Class<M> type, Supplier<M> factory) {
        // Only the identity of the device's own bus master is used: it changes when the device is re-added.
        BusMaster bus = admin.busMaster(device);
        Entry e = models.get(device);
        if (e == null || e.bus != bus) {
            e = new Entry(bus, factory.get());
            models.put(device, e);
        }
        if (!type.isInstance(e.model)) {
            throw new IllegalArgumentException("device " + device + " is a " + e.model.getClass().getSimpleName()
                    + ", not a " + type.getSimpleName() + "; one device has one driver");
        }
        return type.cast(e.model);
    }

    private static final class Entry {
        final BusMaster bus;
        final Object model;

        Entry(BusMaster bus, Object model) {
            this.bus = bus;
            this.model = model;
        }
    }
}
