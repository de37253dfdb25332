package org.iommulab.platform.internal.core;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.iommulab.api.backend.DmaBackend;
import org.iommulab.platform.internal.device.SimDmaDevice;

/**
 * The backends registered with the platform, best first, and the binding rule that picks one
 * for a device (its target filter, the ranking, the backend's {@linkplain DmaBackend#accepts
 * accept}). Devices are placed by it here: when a backend comes, changes or goes, when a
 * device is added or reconfigured, and when one is pinned by hand (bind).
 *
 * <p>Every change runs under the platform's topology lock, which the caller
 * ({@link DevicePlatform}) holds. The list is replaced, never changed in place, so the queries
 * read it without that lock.
 */
final class BackendRegistry {
    /** A swap as the platform runs it (refused from inside a fault listener of the device). */
    interface Swap {
        SwapProtocol.Outcome run(PlatformDevice d, BackendEntry target, String reason, SimDmaDevice replacement);
    }

    /** The platform's devices, a live view. */
    private final Collection<PlatformDevice> devices;
    private final Swap swap;
    /** Best first; replaced (never changed in place) under the lock. */
    private volatile List<BackendEntry> backends = List.of();
    private long sequence;

    BackendRegistry(Collection<PlatformDevice> devices, Swap swap) {
        this.devices = devices;
        this.swap = swap;
    }

    // ---- changes (under the platform's lock) --------------------------------------------------

    /** A backend appeared (or, when known, changed): unpinned devices whose best choice it is move to it. */
    void add(DmaBackend backend, Map<String, ?> properties) {
        if (backend == null) {
            // Reached from update() too, which (as the platform's updateBackend) does not check.
            throw new IllegalArgumentException("backend must not be null");
        }
        if (entryOf(backend) != null) {
            update(backend, properties);
            return;
        }
        BackendEntry e = new BackendEntry(backend, properties, sequence++);
        List<BackendEntry> next = new ArrayList<>(backends);
        next.add(e);
        next.sort(BackendEntry.BEST_FIRST);
        backends = List.copyOf(next);
        rebalance("backend " + e.name() + " registered with ranking " + e.ranking());
    }

    /** A backend's properties changed (or, when unknown, it appeared): unpinned devices follow the best choice. */
    void update(DmaBackend backend, Map<String, ?> properties) {
        BackendEntry e = entryOf(backend);
        if (e == null) {
            add(backend, properties);
            return;
        }
        e.update(properties);
        List<BackendEntry> next = new ArrayList<>(backends);
        next.sort(BackendEntry.BEST_FIRST);
        backends = List.copyOf(next);
        for (PlatformDevice d : devices) {
            // New properties are a new chance for a backend that failed to attach before.
            d.refused.remove(e);
        }
        rebalance("backend " + e.name() + " changed, ranking " + e.ranking());
    }

    /** A backend is going away: its devices move to their next choice, or become unbound, before this returns. */
    void remove(DmaBackend backend) {
        BackendEntry e = entryOf(backend);
        if (e == null) {
            return;
        }
        List<BackendEntry> next = new ArrayList<>(backends);
        next.remove(e);
        backends = List.copyOf(next);
        e.unregistered();
        for (PlatformDevice d : devices) {
            d.refused.remove(e);
            if (d.pinned == e) {
                d.pinned = null;
                d.log("pin to " + e.name() + " dropped: the backend went away");
            }
            if (d.backend() == e) {
                swap.run(d, choose(d, d.sim), "backend " + e.name() + " unregistered", null);
            }
        }
    }

    // ---- placing devices (under the platform's lock) ------------------------------------------

    /** Binds a device just added (its filter set) to its best choice, if any backend accepts it. */
    void placeAdded(PlatformDevice d) {
        BackendEntry best = choose(d, d.sim);
        if (best != null) {
            swap.run(d, best, "device added", null);
        } else {
            d.log("added; no registered backend " + (d.filter == null ? "" : "matching " + d.targetFilter + " ")
                    + "accepts it: unbound until one does");
        }
    }

    /**
     * Binds a device whose configuration changed (its pin dropped, its new filter set) by the
     * rule: with {@code replacement}, a new device object, always through a new attach;
     * without one, only when its best choice changed.
     */
    void placeReconfigured(PlatformDevice d, SimDmaDevice replacement) {
        if (replacement != null) {
            swap.run(d, choose(d, replacement), "configuration changed", replacement);
            return;
        }
        BackendEntry best = choose(d, d.sim);
        if (best != d.backend()) {
            String target = d.targetFilter;
            swap.run(d, best, "configuration changed (backend target " + (target == null ? "none" : target) + ")", null);
        }
    }

    /**
     * Pins {@code d} to {@code e} with a swap (PlatformAdmin's bind).
     *
     * @throws IllegalStateException when the device is being swapped, {@code e} does not
     *         accept it or fails to attach it, or the swap was abandoned (the driver did not
     *         release in time); the device is where it was
     */
    void pin(PlatformDevice d, BackendEntry e) {
        if (d.swapper != null) {
            throw new IllegalStateException("device " + d.name + " is being swapped now; bind it after the swap");
        }
        BackendEntry current = d.backend();
        if (!accepts(e, d, d.sim)) {
            throw new IllegalStateException("backend " + e.name() + " does not accept device " + d.name
                    + "; it stays on " + (current == null ? "no backend" : current.name()));
        }
        // A device whose last swap was abandoned has no running driver: binding it where it is restarts one.
        boolean stalled = d.pendingRelease != null || d.api != null && d.api.isReleasing() || current != null && d.api == null;
        if (current == e && !stalled) {
            d.pinned = e;
            d.log("pinned to " + e.name());
            return;
        }
        d.refused.remove(e);
        SwapProtocol.Outcome out = swap.run(d, e, "bind " + d.name + " " + e.name(), null);
        if (out.abandoned != null) {
            throw new IllegalStateException(out.abandoned);
        }
        if (out.bound != e) {
            throw new IllegalStateException("backend " + e.name() + " failed to attach device " + d.name + ": "
                    + out.attachError + "; the device is on " + (out.bound == null ? "no backend" : out.bound.name()));
        }
        d.pinned = e;
        d.log("pinned to " + e.name());
    }

    /** Forgets every backend at shutdown, after the devices left them. */
    void clear() {
        for (BackendEntry e : backends) {
            e.unregistered();
        }
        backends = List.of();
    }

    /** Moves every unpinned device whose best choice is better than where it is (greedy). */
    private void rebalance(String reason) {
        for (PlatformDevice d : devices) {
            if (d.pinned != null) {
                continue;
            }
            BackendEntry best = choose(d, d.sim);
            if (best != null && best != d.backend()) {
                swap.run(d, best, reason, null);
            }
        }
    }

    // ---- queries (lock-free) ------------------------------------------------------------------

    /** The registered backends, best first. */
    List<BackendEntry> entries() {
        return backends;
    }

    /** Their names, best first. */
    List<String> names() {
        return backends.stream().map(BackendEntry::name).collect(Collectors.toList());
    }

    /** @throws IllegalArgumentException naming the registered backends when none is named {@code name} */
    BackendEntry named(String name) {
        List<BackendEntry> now = backends;
        return now.stream().filter(b -> b.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown backend '" + name + "'; registered: "
                        + (now.isEmpty() ? "none" : String.join(", ", names()))));
    }

    /** The binding rule: the best backend matching the device's filter that accepts {@code sim}, or null. */
    BackendEntry choose(PlatformDevice d, SimDmaDevice sim) {
        TargetFilter f = d.filter;
        for (BackendEntry e : backends) {
            if (f != null && !f.matches(e.properties())) {
                continue;
            }
            if (d.refused.contains(e)) {
                continue;
            }
            if (accepts(e, d, sim)) {
                return e;
            }
        }
        return null;
    }

    /** Whether {@code e} accepts {@code sim}; a backend that throws does not, and the device's log says why. */
    private static boolean accepts(BackendEntry e, PlatformDevice d, SimDmaDevice sim) {
        try {
            return e.backend().accepts(sim);
        } catch (RuntimeException ex) {
            d.log("backend " + e.name() + " failed to answer whether it accepts the device: " + ex);
            return false;
        }
    }

    private BackendEntry entryOf(DmaBackend backend) {
        for (BackendEntry e : backends) {
            if (e.backend() == backend) {
                return e;
            }
        }
        return null;
    }

    // ---- target filters -----------------------------------------------------------------------

    /** A device's target filter as given, trimmed; null for none. */
    static String normalize(String filter) {
        return filter == null || filter.isBlank() ? null : filter.trim();
    }

    /** Null for no target: {@link TargetFilter} (and OSGi's classes) load only for a device that has one. */
    static TargetFilter compile(String device, String filter) {
        return filter == null ? null : TargetFilter.parse(device, filter);
    }
}
