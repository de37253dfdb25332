package org.iommulab.replay.internal.device;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.iommulab.api.admin.DeviceStatus;
import org.iommulab.api.admin.PlatformAdmin;
import org.iommulab.api.checker.CheckerPolicy;
import org.iommulab.api.platform.DeviceDescriptor;

/**
 * The simulated devices of one replay, created on first sight of each trace device name with
 * {@link PlatformAdmin#addDevice}, from the {@link DeviceConfig}. Names and stream IDs are a
 * function of the configuration, the platform's existing devices and the order in which the
 * trace first names its devices, so the same trace on the same platform always gets the same
 * devices. {@link #removeAdded()} takes away the devices this replay added.
 */
public final class ReplayDevices {
    private final PlatformAdmin admin;
    private final DeviceConfig config;
    private final boolean reportMisuse;
    private final Map<String, ReplayDevice> byTraceName = new LinkedHashMap<>();
    /** The checker policy each device had before the replay set REPORT on it. */
    private final Map<String, CheckerPolicy> policies = new LinkedHashMap<>();
    private int ordinal;

    public ReplayDevices(PlatformAdmin admin, DeviceConfig config) {
        this(admin, config, false);
    }

    /**
     * @param reportMisuse set the checker policy REPORT on every device the replay plays, so that
     *        a traced driver's misused call is reported and carried out as Linux's dma-debug
     *        does (restored by {@link #restorePolicies()})
     */
    public ReplayDevices(PlatformAdmin admin, DeviceConfig config, boolean reportMisuse) {
        this.admin = admin;
        this.config = config;
        this.reportMisuse = reportMisuse;
    }

    /** The device playing {@code traceName}, added to the platform on first call. */
    public ReplayDevice device(String traceName) {
        ReplayDevice d = byTraceName.get(traceName);
        if (d == null) {
            d = create(traceName);
            byTraceName.put(traceName, d);
            if (reportMisuse && d.usable() && !policies.containsKey(d.simName())) {
                try {
                    policies.put(d.simName(), admin.checkerPolicy(d.simName()));
                    admin.setCheckerPolicy(d.simName(), CheckerPolicy.REPORT);
                } catch (UnsupportedOperationException | IllegalArgumentException e) {
                    // a platform with one policy for all: misuse is refused, and counted from the refusal
                }
            }
        }
        return d;
    }

    /** Gives every device the checker policy it had before the replay. */
    public void restorePolicies() {
        for (Map.Entry<String, CheckerPolicy> e : policies.entrySet()) {
            try {
                admin.setCheckerPolicy(e.getKey(), e.getValue());
            } catch (RuntimeException gone) {
                // removed meanwhile: nothing to restore
            }
        }
        policies.clear();
    }

    /** The backend devices kept off the IOMMU are replayed on. */
    public String directBackend() {
        return config.directBackend();
    }

    /** Every device so far, in order of first appearance. */
    public List<ReplayDevice> all() {
        return new ArrayList<>(byTraceName.values());
    }

    private ReplayDevice create(String traceName) {
        DeviceSettings s = config.settings(traceName);
        Set<String> names = new HashSet<>();
        Set<Integer> sids = new HashSet<>();
        for (DeviceStatus st : admin.devices()) {
            names.add(st.name());
            for (int sid : st.descriptor().streamIds()) {
                sids.add(sid);
            }
        }
        if (config.hasExplicitName(traceName) && names.contains(s.name())) {
            // the device file points this trace device at an existing simulated device
            DeviceDescriptor existing = admin.device(s.name()).descriptor();
            return new ReplayDevice(traceName, s.name(), existing, false, null, s);
        }
        String name = s.name() != null ? DeviceConfig.sanitise(s.name()) : DeviceConfig.sanitise(traceName);
        for (ReplayDevice other : byTraceName.values()) {
            names.add(other.simName());
        }
        String unique = name;
        for (int n = 1; names.contains(unique); n++) {
            unique = name + "-replay" + (n == 1 ? "" : Integer.toString(n));
        }
        int[] ids = s.streamIds();
        if (ids == null) {
            int rid = s.pci() ? DeviceConfig.pciRequesterId(traceName) : -1;
            long id = rid >= 0 ? rid : config.streamIdBase() + ordinal;
            while (sids.contains((int) id)) {
                id++;
            }
            ids = new int[] {(int) id};
        }
        ordinal++;
        DeviceDescriptor descriptor;
        try {
            descriptor = DeviceDescriptor.builder(unique).streamIds(ids).dmaMask(s.mask())
                    .busDmaLimit(s.busLimit()).coherent(s.coherent()).trusted(s.trusted()).pci(s.pci())
                    .maxSegmentSize(s.maxSegment()).segmentBoundaryMask(s.boundary()).minAlignMask(s.minAlign())
                    .build();
        } catch (IllegalArgumentException e) {
            return new ReplayDevice(traceName, unique, null, false, "bad settings: " + e.getMessage(), s);
        }
        try {
            admin.addDevice(descriptor);
        } catch (RuntimeException e) {
            return new ReplayDevice(traceName, unique, descriptor, false, "platform refused the device: " + e.getMessage(), s);
        }
        return new ReplayDevice(traceName, unique, descriptor, true, null, s);
    }

    /** Removes from the platform every device this replay added; returns how many. */
    public int removeAdded() {
        int n = 0;
        for (ReplayDevice d : byTraceName.values()) {
            if (d.added()) {
                try {
                    admin.removeDevice(d.simName());
                    n++;
                } catch (RuntimeException e) {
                    // already gone (removed by hand while the replay ran): nothing to undo
                }
            }
        }
        return n;
    }
}
