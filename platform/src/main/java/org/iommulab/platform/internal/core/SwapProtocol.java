package org.iommulab.platform.internal.core;

import java.util.LinkedHashMap;
import java.util.Map;

import org.iommulab.api.admin.Stat;
import org.iommulab.api.backend.BackendException;
import org.iommulab.api.backend.DeviceBinding;
import org.iommulab.api.backend.DmaBackend;
import org.iommulab.api.backend.DmaOps;
import org.iommulab.api.backend.TranslationPort;
import org.iommulab.api.dma.DmaApi;
import org.iommulab.platform.internal.bus.BusGate;
import org.iommulab.platform.internal.bus.BusRoute;
import org.iommulab.platform.internal.bus.DeviceBus;
import org.iommulab.platform.internal.device.SimDmaDevice;
import org.iommulab.platform.internal.sim.Simulation;
import org.iommulab.platform.internal.dma.AddressMap;
import org.iommulab.platform.internal.dma.DeviceDmaApi;
import org.iommulab.platform.internal.dma.LeakReclaimer;
import org.iommulab.platform.internal.stats.StatCounters;

/**
 * Moves one device from the backend it is bound to (or none) to another (or none), DESIGN.md's
 * hot-swap protocol, in this order:
 * <ol>
 * <li><b>Release.</b> The driver's DmaApi starts releasing: from now on its calls that create
 * (map, alloc) fail at once with "being swapped", its unmaps, syncs and frees pass. Its service
 * is withdrawn on a release thread of its own, inside which the framework deactivates the
 * driver (Linux: unbind, the driver's remove). The swap waits for that thread, at most
 * {@code swap.releaseTimeout}. A driver that waits in its release for its own in-flight calls,
 * or for its device's DMA, gets them: nothing is held against them.</li>
 * <li><b>Retire.</b> At a moment with no call in flight, the DmaApi goes stale: every call on it
 * throws from then on.</li>
 * <li><b>Cut off device DMA.</b> The driver's generation is released: accesses through its bus
 * master are refused before any translation (DMA after driver release). The device's own
 * accesses are refused as blocked while the binding changes. The swap waits, with the same
 * bound, until no access is in flight: device DMA in flight completes or is refused.</li>
 * <li><b>Reclaim.</b> Whatever is still live is a leak: reported, counted and reclaimed through
 * the old backend.</li>
 * <li><b>Detach</b> from the old backend, <b>attach</b> to the new one (if it refuses, back to the
 * old one when it is still registered, else unbound), set the route and let accesses pass.</li>
 * <li><b>Start.</b> A new DmaApi with the next generation (and a new bus master) is published:
 * the new driver starts, on this thread, with every gate open.</li>
 * </ol>
 * No step holds a lock that a call, an access or the driver's release needs, and every wait is
 * bounded. When the release does not end in time the swap is abandoned with an error naming the
 * device, the driver and what its thread waits on (with its stack): the device stays on its
 * old backend with its driver still bound (the next swap waits for that release again). When
 * the calls or accesses do not drain in time the swap is abandoned too, and a new driver is
 * started on the old backend. A device that must leave (its backend went away, or the device
 * is being removed) leaves anyway: the error is logged and the swap goes on.
 *
 * <p>The caller serializes swaps (the platform's lock); no DMA API call or device access takes
 * that lock.
 */
final class SwapProtocol {
    /** What a swap ended with: the backend bound now (or null), the attach error and why it was abandoned, if so. */
    static final class Outcome {
        final BackendEntry bound;
        final String attachError;
        /** Why the swap was abandoned (the device stayed), or null. */
        final String abandoned;

        Outcome(BackendEntry bound, String attachError, String abandoned) {
            this.bound = bound;
            this.attachError = attachError;
            this.abandoned = abandoned;
        }
    }

    private final DmaApiRegistrar registrar;
    private final AddressMap addresses;
    private final PlatformSettings settings;
    private final Simulation sim;

    SwapProtocol(DmaApiRegistrar registrar, AddressMap addresses, PlatformSettings settings, Simulation sim) {
        this.registrar = registrar;
        this.addresses = addresses;
        this.settings = settings;
        this.sim = sim;
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
        String from = nameOf(old == null ? null : old.backend);
        String to = nameOf(target);
        d.log("swap " + from + " -> " + to + ": " + reason);
        d.swapper = Thread.currentThread();
        BusGate gate = d.bus.gate();
        try {
            // A device whose backend went away, or that is being removed, leaves whatever its driver does.
            boolean mustLeave = d.removing || old != null && !old.backend.isRegistered();
            long bound = settings.releaseTimeoutNanos();

            // 1. Release: the driver is told first; its creating calls fail fast, its releases pass.
            DriverRelease stuck = releaseDriver(d, to, bound);
            if (stuck != null) {
                String why = "swap of device " + d.name + " from " + from + " to " + to + " %s: its driver did not release "
                        + "within " + settings.releaseTimeoutMillis() + " ms (swap.releaseTimeout): " + stuck.stuck() + ". ";
                if (!mustLeave) {
                    return abandon(d, old, String.format(why, "abandoned") + d.name + " stays on " + from
                            + " with its driver still bound; the next swap waits for that release again.\n"
                            + stuck.threadDump(), false);
                }
                // The stuck release belongs to the generation retired below: no later swap waits for it.
                d.pendingRelease = null;
                d.log(String.format(why, "forced") + "The device leaves " + from + " anyway.\n" + stuck.threadDump());
            }

            // 2. Retire: the DmaApi goes stale at a moment with no call in flight.
            DeviceDmaApi api = d.api;
            if (api != null && !api.retireWhenIdle(bound)) {
                String why = "swap of device " + d.name + " from " + from + " to " + to + ": " + api.callsInFlight()
                        + " DMA-API call(s) of its released driver still in flight after " + settings.releaseTimeoutMillis()
                        + " ms (stuck in backend " + from + ")";
                api.retire();
                if (!mustLeave) {
                    return abandon(d, old, why + "; abandoned, " + d.name + " stays on " + from + " with a new driver.", true);
                }
                d.log(why + "; the device leaves " + from + " anyway.");
            }
            d.api = null;

            // 3. Cut off device DMA: the released generation is refused, the device's own accesses
            // are blocked, and what is in flight completes.
            if (d.generation != null) {
                gate.release(d.generation.number());
            }
            gate.beginSwitch();
            if (!gate.awaitIdle(bound)) {
                String why = "swap of device " + d.name + " from " + from + " to " + to + ": " + gate.inFlight()
                        + " device access(es) still in flight after " + settings.releaseTimeoutMillis() + " ms";
                if (!mustLeave) {
                    gate.endSwitch();
                    return abandon(d, old, why + "; abandoned, " + d.name + " stays on " + from + " with a new driver.", true);
                }
                d.log(why + "; the device leaves " + from + " anyway.");
            }

            // 4. Reclaim what the driver leaked.
            LeakReclaimer.reclaim(d.live, old == null ? null : old.ops, from, old == null ? null : old.stats, d::log,
                    d.checker);

            // 5. Detach, attach, route.
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
                d.attachment = now;
                d.bus.route(now.route);
            }
            gate.endSwitch();

            // 6. Start: the new driver comes up with every gate open.
            if (now != null) {
                publish(d, now);
            } else {
                d.log("unbound: no backend serves the device now; its accesses fault and it has no DMA API");
            }
            if (old != null && (now == null || now.backend != old.backend)) {
                d.swaps++;
            }
            return new Outcome(now == null ? null : now.backend, error, null);
        } finally {
            gate.endSwitch();
            d.swapper = null;
        }
    }

    /**
     * (1): tells the driver's DmaApi the release began, withdraws its service on a release thread
     * (or takes up a release an earlier swap left running) and waits for it.
     *
     * @return null when the release ended; else the release still running (kept for the next swap)
     */
    private static DriverRelease releaseDriver(PlatformDevice d, String target, long boundNanos) {
        DeviceDmaApi api = d.api;
        if (api != null) {
            api.beginRelease(target);
        }
        DriverRelease release = d.pendingRelease;
        if (release == null) {
            DmaApiRegistrar.Registration reg = d.registration;
            d.registration = null;
            if (reg == null) {
                return null;
            }
            release = DriverRelease.start(d.name, reg);
        }
        if (!release.await(boundNanos)) {
            d.pendingRelease = release;
            return release;
        }
        d.pendingRelease = null;
        if (release.failure() != null) {
            d.log("withdrawing the DMA API failed: " + release.failure());
        }
        return null;
    }

    /**
     * Ends a swap that cannot go on: the device stays attached to {@code old} (its route and
     * mappings untouched), the error is logged and counted there. With {@code restart} (the
     * driver did release), a new driver is started on {@code old}.
     */
    private Outcome abandon(PlatformDevice d, Attachment old, String why, boolean restart) {
        d.log(why);
        if (old != null) {
            old.stats.increment(Stat.SWAPS_ABANDONED);
        } else {
            d.currentStats().increment(Stat.SWAPS_ABANDONED);
        }
        if (restart) {
            d.api = null;
            if (d.generation != null) {
                d.bus.gate().release(d.generation.number());
            }
            d.bus.gate().endSwitch();
            if (old != null) {
                publish(d, old);
            }
        }
        return new Outcome(old == null ? null : old.backend, null, why);
    }

    /** (5) */
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

    /** (5): attaches and checks what the backend handed back. */
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

    /** (5), refused: back to the old backend if it is still there, else nothing. */
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

    /** (6): a new DmaApi of the next generation goes live and the driver is created again. */
    private void publish(PlatformDevice d, Attachment now) {
        DeviceBus.Generation generation = new DeviceBus.Generation(++d.generations, now.backend.name(), now.stats);
        DeviceDmaApi api = new DeviceDmaApi(d.sim, now.backend.name(), now.ops, addresses, d.bus.master(generation), d.live,
                now.stats, d::log, d.checker, isolating(now.backend), now.route.pageShift(), sim, settings.msiDoorbell());
        d.api = api;
        d.generation = generation;
        d.log("bound to " + now.backend.name() + " (driver generation " + generation.number() + ")");
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
