package org.iommulab.platform.internal.core;

import java.util.LinkedHashMap;
import java.util.Map;

import org.iommulab.api.backend.BackendException;
import org.iommulab.api.backend.DeviceBinding;
import org.iommulab.api.backend.DmaOps;
import org.iommulab.api.backend.TranslationPort;
import org.iommulab.api.dma.DmaApi;
import org.iommulab.api.platform.PhysicalMemory;
import org.iommulab.api.backend.DmaBackend;
import org.iommulab.platform.internal.bus.BusRoute;
import org.iommulab.platform.internal.bus.DeviceBus;
import org.iommulab.platform.internal.device.SimDmaDevice;
import org.iommulab.platform.internal.dma.DeviceDmaApi;
import org.iommulab.platform.internal.dma.LeakReclaimer;
import org.iommulab.platform.internal.stats.StatCounters;

/**
 * Moves one device from the backend it is bound to (or none) to another (or none), DESIGN.md's
 * hot-swap protocol:
 * <ol type="a">
 * <li>close the device's gate: new mappings from other threads wait; releases pass;</li>
 * <li>withdraw the DMA API service: the driver (static reference) is deactivated inside
 * {@code unregister} and releases its mappings; the old API object becomes stale; device
 * accesses are held from here on;</li>
 * <li>whatever is still live is a leak: reported, counted and reclaimed through the backend;</li>
 * <li>detach from the old backend;</li>
 * <li>attach to the new one; if it refuses, go back to the old one when it is still registered,
 * else stay unbound;</li>
 * <li>publish a new DMA API: the driver is created again;</li>
 * <li>open the gate.</li>
 * </ol>
 * Device accesses keep flowing during (b), so a driver that waits in its deactivation for its
 * device's in-flight DMA cannot deadlock; they wait from (c) until the new binding is in place
 * (end of (e)), while there is nothing to translate them, and flow again while the new driver
 * starts in (f), so a driver that needs, to start, what the old driver's waiting thread holds
 * cannot deadlock either. Likewise a mapping call of the old driver waiting at the gate fails
 * as stale as soon as its API is retired in (b). The caller serializes swaps (the platform's
 * lock).
 */
final class SwapProtocol {
    /** What a swap ended with: the backend bound now (or null) and the attach error, if any. */
    static final class Outcome {
        final BackendEntry bound;
        final String attachError;

        Outcome(BackendEntry bound, String attachError) {
            this.bound = bound;
            this.attachError = attachError;
        }
    }

    private final DmaApiRegistrar registrar;
    private final PhysicalMemory memory;

    SwapProtocol(DmaApiRegistrar registrar, PhysicalMemory memory) {
        this.registrar = registrar;
        this.memory = memory;
    }

    /**
     * Runs the protocol on {@code d}.
     *
     * @param target the backend to bind, or null to leave the device unbound
     * @param reason why, for the device's log
     * @param replacement a new device object (its configuration changed), or null to keep it
     * @throws IllegalStateException when called from inside a swap of the same device
     */
    Outcome run(PlatformDevice d, BackendEntry target, String reason, SimDmaDevice replacement) {
        if (d.swapper != null) {
            throw new IllegalStateException("device " + d.name + " is being swapped now (by " + d.swapper.getName()
                    + "); it cannot be rebound from inside its own swap");
        }
        Attachment old = d.attachment;
        d.log("swap " + nameOf(old == null ? null : old.backend) + " -> " + nameOf(target) + ": " + reason);
        d.swapper = Thread.currentThread();
        d.mapGate.close();
        try {
            releaseDriver(d);
            d.busGate.close();
            LeakReclaimer.reclaim(d.live, old == null ? null : old.ops, old == null ? DeviceBus.NO_BACKEND : old.backend.name(),
                    old == null ? null : old.stats, d::log, d.checker);
            if (old != null) {
                detach(d, old);
            }
            if (replacement != null) {
                d.sim = replacement;
                d.bus.device(replacement);
            }
            String error = null;
            Attachment now = null;
            if (target != null) {
                try {
                    now = attach(d, target);
                } catch (BackendException | RuntimeException e) {
                    error = String.valueOf(e.getMessage());
                    d.refused.add(target);
                    d.log("attach to " + target.name() + " failed: " + error);
                    now = fallBack(d, old, target);
                }
            }
            if (now != null) {
                route(d, now);
                // The device's accesses have a binding to go through again: let them. Holding
                // them while the new driver starts would deadlock a driver whose start needs
                // what a waiting access holds (the device model's lock held by the old driver's
                // run, say): no step may wait for another party with the gate closed.
                d.busGate.open();
                publish(d, now);
            } else {
                d.log("unbound: no backend serves the device now; its accesses fault and it has no DMA API");
            }
            if (old != null && (now == null || now.backend != old.backend)) {
                d.swaps++;
            }
            return new Outcome(now == null ? null : now.backend, error);
        } finally {
            d.busGate.open();
            d.mapGate.open();
            d.swapper = null;
        }
    }

    /** (b): the driver lets go of the device; the API it used goes stale. */
    private static void releaseDriver(PlatformDevice d) {
        DmaApiRegistrar.Registration reg = d.registration;
        d.registration = null;
        if (reg != null) {
            try {
                reg.unregister();
            } catch (RuntimeException e) {
                d.log("withdrawing the DMA API failed: " + e);
            }
        }
        DeviceDmaApi api = d.api;
        d.api = null;
        if (api != null) {
            api.retire();
            // Calls of the stale API waiting at the gate fail now rather than at the swap's end.
            d.mapGate.wake();
        }
        // Releases other threads started before the API went stale finish before the leak check.
        d.mapGate.drain();
    }

    /** (d) */
    private static void detach(PlatformDevice d, Attachment old) {
        d.attachment = null;
        d.bus.route(null);
        old.stats.detaching(old.binding);
        try {
            old.binding.detach();
        } catch (RuntimeException e) {
            d.log("detach from " + old.backend.name() + " failed: " + e);
        }
    }

    /** (e): attaches and checks what the backend handed back. */
    private static Attachment attach(PlatformDevice d, BackendEntry target) throws BackendException {
        DeviceBinding binding = target.backend().attach(d.sim);
        if (binding == null) {
            throw new BackendException("backend " + target.name() + " returned no binding");
        }
        try {
            DmaOps ops = binding.ops();
            TranslationPort port = binding.port();
            if (ops == null || port == null) {
                throw new BackendException("backend " + target.name() + " returned a binding without "
                        + (ops == null ? "ops" : "a translation port"));
            }
            StatCounters stats = d.stats(target.name());
            BusRoute route = new BusRoute(target.name(), port, stats);
            stats.attached(binding);
            return new Attachment(target, binding, ops, stats, route);
        } catch (BackendException | RuntimeException e) {
            try {
                binding.detach();
            } catch (RuntimeException ignored) {
                // The attach already failed; the detach is a courtesy to the backend.
            }
            throw e;
        }
    }

    /** (e), refused: back to the old backend if it is still there, else nothing. */
    private static Attachment fallBack(PlatformDevice d, Attachment old, BackendEntry failed) {
        if (old == null || old.backend == failed || !old.backend.isRegistered()) {
            return null;
        }
        try {
            Attachment a = attach(d, old.backend);
            d.log("back on " + old.backend.name());
            return a;
        } catch (BackendException | RuntimeException e) {
            d.log("re-attach to " + old.backend.name() + " failed too: " + e.getMessage());
            return null;
        }
    }

    /** (e), done: the new binding translates the device's accesses. */
    private static void route(PlatformDevice d, Attachment now) {
        d.attachment = now;
        d.bus.route(now.route);
    }

    /** (f): the new DMA API goes live and the driver is created again. */
    private void publish(PlatformDevice d, Attachment now) {
        DeviceDmaApi api = new DeviceDmaApi(d.sim, now.backend.name(), now.ops, memory, d.mapGate, d.live, now.stats, d::log,
                d.checker, isolating(now.backend), now.route.pageShift());
        d.api = api;
        d.log("bound to " + now.backend.name());
        Map<String, Object> props = new LinkedHashMap<>();
        props.put(DmaApi.DEVICE_PROPERTY, d.name);
        props.put(DmaApi.BACKEND_PROPERTY, now.backend.name());
        props.put("service.description", "DMA API of " + d.name + " on " + now.backend.name());
        try {
            d.registration = registrar.register(api, props);
        } catch (RuntimeException e) {
            d.log("publishing the DMA API failed: " + e);
        }
    }

    /**
     * Whether the backend's {@value DmaBackend#ISOLATION_PROPERTY} service property says it
     * isolates its devices (Boolean true or "true"); absent means no, so the checker never
     * measures sub-page exposure where the device reaches all RAM anyway.
     */
    static boolean isolating(BackendEntry e) {
        Object v = e.properties().get(DmaBackend.ISOLATION_PROPERTY);
        return Boolean.TRUE.equals(v) || v instanceof String && Boolean.parseBoolean(((String) v).trim());
    }

    private static String nameOf(BackendEntry e) {
        return e == null ? "none" : e.name();
    }
}
