package org.iommulab.iommu.dma.internal.dma;

import java.util.ArrayList;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import org.iommulab.api.backend.DmaBackend;
import org.iommulab.api.config.ConfigReader;
import org.iommulab.api.iommu.IommuDriver;
import org.iommulab.api.platform.MemoryRegion;
import org.iommulab.api.platform.SimClock;
import org.iommulab.api.platform.SimCpus;
import org.iommulab.api.swiotlb.SwiotlbPool;
import org.osgi.annotation.bundle.Capability;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/**
 * The iommu-dma whiteboard: every {@link IommuDriver} service becomes a {@link DmaBackend}
 * service of the same name ({@value DmaBackend#NAME_PROPERTY} = the driver's name), registered
 * when the driver appears and unregistered when it goes (the platform then moves the backend's
 * devices away). The backend's {@code service.ranking} is the driver service's, or the
 * configured default. The swiotlb pool is an optional, dynamic reference: untrusted devices'
 * unaligned buffers bounce through it when it is there and fail with a warning when it is not.
 *
 * <p>A configuration change re-creates the component, withdrawing and re-offering every backend.
 * The backends are registered by hand, so the bundle declares the service capability itself
 * for resolvers.
 */
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=\"org.iommulab.api.backend.DmaBackend\"",
        uses = DmaBackend.class)
@Component(service = {}, immediate = true, configurationPid = IommuDmaWhiteboard.PID)
@Designate(ocd = IommuDmaWhiteboard.Config.class)
public final class IommuDmaWhiteboard {
    /** Configuration PID. */
    public static final String PID = "org.iommulab.iommu.dma";

    @ObjectClassDefinition(name = "iommulab iommu-dma",
            description = "How the DMA backends made from IOMMU drivers map: strict or lazy invalidation, the flush"
                    + " queue, per-CPU caches, and the backends' default ranking.")
    public @interface Config {
        @AttributeDefinition(name = "Invalidation mode",
                description = "strict: unmap, sync the IOTLB, free the IOVA (Linux iommu.strict=1, arm64's default)."
                        + " lazy: a flush queue defers invalidation (iommu.strict=0); untrusted devices stay strict.",
                options = {@Option(value = "strict", label = "strict"), @Option(value = "lazy", label = "lazy")})
        String mode() default "strict";

        @AttributeDefinition(name = "Per-backend modes",
                description = "Overrides of the mode for single backends, as name=strict or name=lazy"
                        + " (for example generic=lazy).")
        String[] backendModes() default {};

        @AttributeDefinition(name = "Flush queue size",
                description = "Entries per CPU ring, a power of two (Linux 256); not used with a single flush queue.")
        int flushQueueSize() default FlushQueue.DEFAULT_SIZE;

        @AttributeDefinition(name = "Flush queue timeout (ms)",
                description = "Linux IOVA_DEFAULT_FQ_TIMEOUT: 10 ms of the simulated clock; not used with a single flush queue.")
        int flushTimeoutMs() default FlushQueue.DEFAULT_TIMEOUT_MS;

        @AttributeDefinition(name = "Single flush queue",
                description = "One flush queue for all CPUs of 32768 entries and 1000 ms, as Linux does for an IOMMU whose"
                        + " invalidation is costly (shadow_on_flush, IOMMU_DMA_OPTS_SINGLE_QUEUE), instead of per-CPU"
                        + " queues. The number of CPUs is the platform's (sim.cpus).")
        boolean singleFlushQueue() default false;

        @AttributeDefinition(name = "Force DAC", description = "Linux iommu.forcedac: no 32-bit-first IOVAs for PCI devices.")
        boolean forceDac() default false;

        @AttributeDefinition(name = "PCI host bridge windows",
                description = "The host bridge's memory windows, base+size in hex, which iommu-dma keeps out of every PCI"
                        + " device's IOVA space (Linux iova_reserve_pci_windows). The default is QEMU virt's.")
        String[] pciWindows() default {"0x10000000+0x2eff0000", "0x8000000000+0x8000000000"};

        @AttributeDefinition(name = "Default ranking",
                description = "service.ranking of a backend whose IOMMU driver service has none.")
        int ranking() default 100;
    }

    private final BundleContext context;
    private final IommuDmaSettings settings;
    private final int defaultRanking;
    private final Map<String, Boolean> lazyByName = new HashMap<>();
    private final Map<IommuDriver, Slot> backends = new IdentityHashMap<>();
    private boolean active = true;
    /** Set by {@link #activate}: from then on a new driver's backend is published at once. */
    private boolean opened;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile SwiotlbPool pool;

    /**
     * @param clock the simulation's clock, which the flush-queue timers read
     * @param cpus the simulation's CPUs, which the per-CPU caches and flush queues are indexed by
     */
    @Activate
    public IommuDmaWhiteboard(BundleContext context, Config config, @Reference SimClock clock, @Reference SimCpus cpus) {
        this.context = context;
        IommuDmaConfigRules.check(ConfigReader.properties(config));
        IommuDmaSettings s = new IommuDmaSettings(parseMode(config.mode(), "mode"), false, config.flushQueueSize(),
                config.flushTimeoutMs() * 1_000_000L, cpus.count(), cpus::current, config.forceDac(), clock::nanos);
        s = s.pciWindows(windows(config.pciWindows()));
        this.settings = config.singleFlushQueue() ? s.singleQueue(true) : s;
        this.defaultRanking = config.ranking();
        for (String entry : config.backendModes() == null ? new String[0] : config.backendModes()) {
            int eq = entry.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("iommu-dma backendModes entry '" + entry + "' is not name=strict|lazy");
            }
            lazyByName.put(entry.substring(0, eq).trim(), parseMode(entry.substring(eq + 1), "backendModes entry " + entry));
        }
    }

    /** Parses base+size entries (hex, 0x optional). */
    static List<MemoryRegion> windows(String[] entries) {
        List<MemoryRegion> out = new ArrayList<>();
        for (String e : entries == null ? new String[0] : entries) {
            if (e == null || e.isBlank()) {
                continue;
            }
            String[] p = e.trim().split("\\+");
            try {
                if (p.length != 2) {
                    throw new NumberFormatException("not base+size");
                }
                out.add(new MemoryRegion(hex(p[0]), hex(p[1])));
            } catch (IllegalArgumentException bad) {
                throw new IllegalArgumentException("iommu-dma pciWindows entry '" + e + "' is not base+size in hex ("
                        + bad.getMessage() + ")");
            }
        }
        return out;
    }

    private static long hex(String s) {
        String t = s.trim().toLowerCase(java.util.Locale.ROOT).replace("_", "");
        return Long.parseUnsignedLong(t.startsWith("0x") ? t.substring(2) : t, 16);
    }

    private static boolean parseMode(String mode, String what) {
        String m = mode == null ? "" : mode.trim();
        if (m.equalsIgnoreCase("lazy")) {
            return true;
        }
        if (m.equalsIgnoreCase("strict")) {
            return false;
        }
        throw new IllegalArgumentException("iommu-dma " + what + ": mode must be strict or lazy, got '" + mode + "'");
    }

    /** The settings for the backend made from the driver named {@code name}. */
    IommuDmaSettings settingsFor(String name) {
        Boolean lazy = lazyByName.get(name);
        return lazy == null ? settings : settings.lazy(lazy);
    }

    /**
     * Publishes the backends of the drivers bound so far. SCR binds every reference (in the
     * order the component description lists them, the drivers before the pool) and only then
     * calls this: a backend registered from inside the binding would be given devices at once
     * by the platform, before the pool is bound, and an untrusted device's sub-granule mappings
     * would fail for want of a pool that is registered.
     */
    @Activate
    void activate() {
        List<Map.Entry<IommuDriver, Slot>> pending;
        synchronized (this) {
            opened = true;
            pending = new ArrayList<>(backends.entrySet());
        }
        for (Map.Entry<IommuDriver, Slot> e : pending) {
            publish(e.getKey(), e.getValue());
        }
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, updated = "updatedDriver")
    void addDriver(IommuDriver driver, Map<String, Object> properties) {
        Slot slot = new Slot(new IommuDmaBackend(driver, settingsFor(driver.name()), () -> pool),
                backendProperties(driver, properties));
        boolean now;
        synchronized (this) {
            if (!active || backends.containsKey(driver)) {
                return;
            }
            backends.put(driver, slot);
            now = opened;
        }
        if (now) {
            publish(driver, slot);
        }
    }

    /**
     * Registers a driver's backend, without holding the lock: the platform may attach devices
     * from the service event, on this thread.
     */
    private void publish(IommuDriver driver, Slot slot) {
        Dictionary<String, Object> props;
        synchronized (this) {
            props = slot.properties;
        }
        ServiceRegistration<DmaBackend> reg = context.registerService(DmaBackend.class, slot.backend, props);
        boolean keep;
        synchronized (this) {
            keep = backends.get(driver) == slot && slot.registration == null;
            if (keep) {
                slot.registration = reg;
            }
        }
        if (!keep) {
            unregister(reg); // the driver went, or the component stopped, while registering
        }
    }

    /** The driver's service ranking changed: the backend follows it. */
    void updatedDriver(IommuDriver driver, Map<String, Object> properties) {
        Dictionary<String, Object> props = backendProperties(driver, properties);
        ServiceRegistration<DmaBackend> reg;
        synchronized (this) {
            Slot slot = backends.get(driver);
            if (slot == null) {
                return;
            }
            slot.properties = props;
            reg = slot.registration;
        }
        if (reg != null) {
            try {
                reg.setProperties(props);
            } catch (IllegalStateException alreadyGone) {
                // Unregistered meanwhile: nothing to update.
            }
        }
    }

    private Dictionary<String, Object> backendProperties(IommuDriver driver, Map<String, Object> properties) {
        Dictionary<String, Object> props = new Hashtable<>();
        props.put(DmaBackend.NAME_PROPERTY, driver.name());
        // An IOMMU confines the device to what is mapped for it. Lazy mode leaves a window
        // after unmap until the flush (counted as STALE_TRANSLATIONS); untrusted devices are
        // always strict.
        props.put(DmaBackend.ISOLATION_PROPERTY, Boolean.TRUE);
        Object ranking = properties.get(Constants.SERVICE_RANKING);
        props.put(Constants.SERVICE_RANKING, ranking instanceof Integer ? ranking : defaultRanking);
        return props;
    }

    void removeDriver(IommuDriver driver) {
        Slot slot;
        synchronized (this) {
            slot = backends.remove(driver);
        }
        if (slot != null) {
            unregister(slot.registration);
        }
    }

    @Deactivate
    void deactivate() {
        Map<IommuDriver, Slot> all;
        synchronized (this) {
            active = false;
            all = new IdentityHashMap<>(backends);
            backends.clear();
        }
        all.values().forEach(slot -> unregister(slot.registration));
    }

    private static void unregister(ServiceRegistration<DmaBackend> reg) {
        if (reg == null) {
            return;
        }
        try {
            reg.unregister();
        } catch (IllegalStateException alreadyGone) {
            // The bundle is stopping and the framework unregistered it first.
        }
    }

    /** A driver's backend, its service properties, and its registration (null until published). */
    private static final class Slot {
        final IommuDmaBackend backend;
        Dictionary<String, Object> properties;
        ServiceRegistration<DmaBackend> registration;

        Slot(IommuDmaBackend backend, Dictionary<String, Object> properties) {
            this.backend = backend;
            this.properties = properties;
        }
    }
}
