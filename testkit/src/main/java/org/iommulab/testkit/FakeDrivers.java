package org.iommulab.testkit;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.iommulab.api.dma.DmaApi;

/**
 * Plays the service registry and the drivers for a platform built with {@code new}: each DMA
 * API the platform publishes through {@link #register} starts a {@link FakeDriver} (on the
 * registering thread, as SCR does for an immediate component), and running the returned
 * unregistration stops it, which releases its mappings unless it was told to leak. Tests then
 * reach a device's DMA API as a driver would hold it ({@link #api}, {@link #lookup}).
 *
 * <p>The platform's registrar interface is the platform's own; a platform test adapts it in one
 * line: {@code (api, props) -> drivers.register(api, props)::run}.
 *
 * <p>Thread safety: safe from any thread; the hooks and the leak flag are volatile and apply
 * to drivers started or stopped after they are set. The hooks run on the registering or
 * unregistering thread.
 */
public final class FakeDrivers {
    private final List<FakeDriver> drivers = Collections.synchronizedList(new ArrayList<>());
    /** Run by every new driver when it starts. */
    public volatile Consumer<FakeDriver> onStart = d -> { };
    /** Run by every driver when it is stopped, before it releases. */
    public volatile Consumer<FakeDriver> onStop = d -> { };
    /** When true, drivers started from now on release nothing when stopped. */
    public volatile boolean leak;

    /**
     * Publishes {@code api} with its service properties ({@link DmaApi#DEVICE_PROPERTY},
     * {@link DmaApi#BACKEND_PROPERTY}): starts its driver and returns the unregistration, which
     * stops the driver (once) before it returns.
     */
    public Runnable register(DmaApi api, Map<String, Object> properties) {
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

    /** The DMA API the running driver of {@code device} holds; fails the test if none runs. */
    public DmaApi api(String device) {
        FakeDriver d = running(device);
        if (d == null) {
            throw new AssertionError("no driver runs for " + device);
        }
        return d.api();
    }

    /**
     * The DMA API published now for {@code device} on {@code backend} (as a service lookup
     * filtering on both properties would find it), or null.
     */
    public DmaApi lookup(String device, String backend) {
        FakeDriver d = running(device);
        return d != null && backend.equals(d.backend()) ? d.api() : null;
    }
}
