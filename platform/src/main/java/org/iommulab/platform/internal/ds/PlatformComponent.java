package org.iommulab.platform.internal.ds;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;

import org.iommulab.api.admin.PlatformAdmin;
import org.iommulab.api.backend.DmaBackend;
import org.iommulab.api.checker.CheckerPolicy;
import org.iommulab.api.admin.MappingListener;
import org.iommulab.api.config.ConfigReader;
import org.iommulab.api.checker.FindingListener;
import org.iommulab.api.dma.DmaApi;
import org.iommulab.api.platform.DeviceDescriptor;
import org.iommulab.api.platform.FaultListener;
import org.iommulab.api.platform.MemoryRegion;
import org.iommulab.api.platform.PageAllocator;
import org.iommulab.api.platform.PhysicalMemory;
import org.iommulab.api.platform.SimClock;
import org.iommulab.api.platform.SimCpus;
import org.iommulab.platform.internal.checker.CheckerSettings;
import org.iommulab.platform.internal.core.DeviceOrigin;
import org.iommulab.platform.internal.core.DevicePlatform;
import org.iommulab.platform.internal.core.PlatformSettings;
import org.iommulab.platform.internal.sim.SimSettings;
import org.iommulab.platform.internal.sim.Simulation;
import org.iommulab.platform.internal.device.DefaultDevices;
import org.iommulab.platform.internal.memory.SparsePhysicalMemory;
import org.iommulab.platform.internal.memory.ZonedPageAllocator;
import org.osgi.annotation.bundle.Capability;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;

/**
 * The platform in the framework: builds the memory, the allocator and the
 * {@link DevicePlatform}, registers them ({@link PhysicalMemory}, {@link PageAllocator},
 * {@link PlatformAdmin}, and the core under its own class for this bundle's other components),
 * feeds it every {@link DmaBackend} service (dynamic, greedy: a higher-ranked backend is
 * taken at once), every {@link FaultListener} and every {@link FindingListener} (the checker's
 * whiteboard). Without a {@code @Modified} method a changed configuration re-creates the
 * platform, so {@code checker.enabled} holds for the platform's whole life.
 */
@Component(immediate = true, configurationPid = PlatformComponent.PID, service = {})
@Designate(ocd = PlatformConfig.class)
// The services registered by hand, declared so that resolvers match the requirements of
// components that reference them (bnd derives capabilities only from DS-registered services).
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=\"org.iommulab.api.admin.PlatformAdmin,"
        + "org.iommulab.platform.internal.core.DevicePlatform\"", uses = PlatformAdmin.class)
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=\"org.iommulab.api.platform.PhysicalMemory\"",
        uses = PhysicalMemory.class)
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=\"org.iommulab.api.platform.PageAllocator\"",
        uses = PageAllocator.class)
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=\"org.iommulab.api.dma.DmaApi\"", uses = DmaApi.class)
@Capability(namespace = "osgi.service", attribute = "objectClass:List<String>=\"org.iommulab.api.platform.SimClock,"
        + "org.iommulab.api.platform.SimCpus\"", uses = SimClock.class)
public final class PlatformComponent {
    public static final String PID = "org.iommulab.platform";
    static final String DEFAULT_LAYOUT = "default";

    private final DevicePlatform platform;
    private final List<ServiceRegistration<?>> registrations = new ArrayList<>();

    @Activate
    public PlatformComponent(BundleContext context, PlatformConfig config) {
        PlatformConfigRules.check(ConfigReader.properties(config));
        if (!DEFAULT_LAYOUT.equals(config.memoryLayout())) {
            throw new IllegalArgumentException(PID + ": memoryLayout '" + config.memoryLayout()
                    + "' is unknown; only '" + DEFAULT_LAYOUT + "' exists");
        }
        SparsePhysicalMemory memory = SparsePhysicalMemory.defaultLayout();
        ZonedPageAllocator allocator = new ZonedPageAllocator(memory);
        Simulation sim = new Simulation(new SimSettings(config.sim_cpus(), config.sim_callNanos(), config.sim_accessNanos(),
                config.sim_picosPerByte()));
        platform = new DevicePlatform(memory, allocator, new BundleContextRegistrar(context),
                new CheckerSettings(config.checker_enabled(), config.checker_recordMapSites(), policy(config.checker_policy())),
                new PlatformSettings(config.swap_releaseTimeout(), mmioRegions(config.mmioRegions()),
                        doorbell(config.msi_doorbell())), sim);
        if (config.defaultDevices()) {
            for (DeviceDescriptor d : DefaultDevices.all()) {
                platform.addDevice(d, null, DeviceOrigin.DEFAULT);
            }
        }
        registrations.add(context.registerService(PhysicalMemory.class, memory, describe("simulated physical memory")));
        registrations.add(context.registerService(PageAllocator.class, allocator, describe("page allocator")));
        registrations.add(context.registerService(new String[] {SimClock.class.getName(), SimCpus.class.getName()}, sim,
                describe("simulated clock and CPUs")));
        registrations.add(context.registerService(new String[] {PlatformAdmin.class.getName(), DevicePlatform.class.getName()},
                platform, describe("iommulab platform")));
    }

    @Reference(name = "backend", service = DmaBackend.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY,
            unbind = "removeBackend", updated = "updatedBackend")
    void addBackend(DmaBackend backend, Map<String, Object> properties) {
        platform.addBackend(backend, properties);
    }

    void updatedBackend(DmaBackend backend, Map<String, Object> properties) {
        platform.updateBackend(backend, properties);
    }

    void removeBackend(DmaBackend backend) {
        platform.removeBackend(backend);
    }

    @Reference(name = "faultListener", service = FaultListener.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, unbind = "removeFaultListener")
    void addFaultListener(FaultListener listener) {
        platform.addFaultListener(listener);
    }

    void removeFaultListener(FaultListener listener) {
        platform.removeFaultListener(listener);
    }

    @Reference(name = "mappingListener", service = MappingListener.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, unbind = "removeMappingListener")
    void addMappingListener(MappingListener listener) {
        platform.addMappingListener(listener);
    }

    void removeMappingListener(MappingListener listener) {
        platform.removeMappingListener(listener);
    }

    @Reference(name = "findingListener", service = FindingListener.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, unbind = "removeFindingListener")
    void addFindingListener(FindingListener listener) {
        platform.addFindingListener(listener);
    }

    void removeFindingListener(FindingListener listener) {
        platform.removeFindingListener(listener);
    }

    /**
     * Withdraws the platform first (configured devices and the shell go), then releases every
     * remaining driver and device, then the memory services (backends using them go).
     */
    @Deactivate
    void deactivate() {
        List<ServiceRegistration<?>> regs = new ArrayList<>(registrations);
        Collections.reverse(regs);
        unregister(regs.get(0));
        platform.shutdown();
        regs.subList(1, regs.size()).forEach(PlatformComponent::unregister);
    }

    private static void unregister(ServiceRegistration<?> r) {
        try {
            r.unregister();
        } catch (IllegalStateException alreadyGone) {
            // The framework withdrew it while stopping the bundle.
        }
    }

    /**
     * Parses {@code mmioRegions}: each {@code base+size}, hex with or without 0x.
     *
     * @throws IllegalArgumentException naming the entry that does not parse
     */
    static List<MemoryRegion> mmioRegions(String[] entries) {
        List<MemoryRegion> out = new ArrayList<>();
        if (entries == null) {
            return out;
        }
        for (String e : entries) {
            if (e == null || e.isBlank()) {
                continue;
            }
            String[] parts = e.trim().split("\\+");
            try {
                if (parts.length != 2) {
                    throw new NumberFormatException("not base+size");
                }
                out.add(new MemoryRegion(hex(parts[0]), hex(parts[1])));
            } catch (IllegalArgumentException bad) {
                throw new IllegalArgumentException(PID + ": mmioRegions entry '" + e + "' is not base+size in hex ("
                        + bad.getMessage() + ")");
            }
        }
        return out;
    }

    static CheckerPolicy policy(String s) {
        String p = s == null ? "" : s.trim().toLowerCase(java.util.Locale.ROOT);
        switch (p) {
            case "refuse": return CheckerPolicy.REFUSE;
            case "report": return CheckerPolicy.REPORT;
            default: throw new IllegalArgumentException(PID + ": checker.policy must be refuse or report, got '" + s + "'");
        }
    }

    private static long doorbell(String s) {
        try {
            return hex(s == null ? "" : s);
        } catch (IllegalArgumentException bad) {
            throw new IllegalArgumentException(PID + ": msi.doorbell '" + s + "' is not a hex address");
        }
    }

    private static long hex(String s) {
        String t = s.trim().toLowerCase(java.util.Locale.ROOT).replace("_", "");
        return Long.parseUnsignedLong(t.startsWith("0x") ? t.substring(2) : t, 16);
    }

    private static Dictionary<String, Object> describe(String what) {
        Hashtable<String, Object> p = new Hashtable<>();
        p.put("service.description", "iommulab " + what);
        return p;
    }
}
