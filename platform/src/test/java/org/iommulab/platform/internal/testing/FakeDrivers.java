package org.iommulab.platform.internal.testing;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.iommulab.api.dma.DmaApi;
import org.iommulab.platform.internal.core.DmaApiRegistrar;

/**
 * Plays the service registry and the drivers: each registered DMA API starts a
 * {@link FakeDriver} (on the registering thread, as SCR does for an immediate component), and
 * unregistering stops it, which releases its mappings unless it is told to leak.
 */
public final class FakeDrivers implements DmaApiRegistrar {
    private final List<FakeDriver> drivers = Collections.synchronizedList(new ArrayList<>());
    /** Run by every new driver when it starts. */
    public volatile Consumer<FakeDriver> onStart = d -> { };
    /** Run by every driver when it is stopped, before it releases. */
    public volatile Consumer<FakeDriver> onStop = d -> { };
    /** When true, drivers started from now on release nothing when stopped. */
    public volatile boolean leak;

    @Override
    public Registration register(DmaApi api, Map<String, Object> properties) {
        FakeDriver d = new FakeDriver(api, (String) properties.get(DmaApi.DEVICE_PROPERTY),
                (String) properties.get(DmaApi.BACKEND_PROPERTY), leak);
        drivers.add(d);
        onStart.accept(d);
        return () -> {
            if (!d.stopped()) {
                onStop.accept(d);
                d.stop();
            }
        };
    }

    /** Every driver ever started, oldest first. */
    public List<FakeDriver> all() {
        synchronized (drivers) {
            return new ArrayList<>(drivers);
        }
    }

    /** The running driver of {@code device}, or null. */
    public FakeDriver running(String device) {
        synchronized (drivers) {
            for (int i = drivers.size() - 1; i >= 0; i--) {
                FakeDriver d = drivers.get(i);
                if (d.device().equals(device) && !d.stopped()) {
                    return d;
                }
            }
        }
        return null;
    }

    /** The DMA API the running driver of {@code device} holds. */
    public DmaApi api(String device) {
        FakeDriver d = running(device);
        if (d == null) {
            throw new AssertionError("no driver runs for " + device);
        }
        return d.api();
    }
}
