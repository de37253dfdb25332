package org.iommulab.platform.internal.core;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;

import org.iommulab.api.admin.DeviceStats;
import org.iommulab.api.admin.DeviceStatus;
import org.iommulab.platform.internal.stats.StatCounters;

/**
 * The platform's devices by name, in name order, and the queries over all of them. Changed only
 * under the platform's topology lock; read from any thread without it (a concurrent map).
 */
final class DeviceTable {
    private final ConcurrentSkipListMap<String, PlatformDevice> byName = new ConcurrentSkipListMap<>();

    /** Every device, in name order: a live view, weakly consistent while it changes. */
    Collection<PlatformDevice> all() {
        return byName.values();
    }

    /** The device named {@code name}, or null. */
    PlatformDevice get(String name) {
        return byName.get(name);
    }

    /** @throws IllegalArgumentException naming the devices there are when there is none named {@code name} */
    PlatformDevice require(String name) {
        PlatformDevice d = name == null ? null : byName.get(name);
        if (d == null) {
            throw new IllegalArgumentException("unknown device '" + name + "'; devices: "
                    + (byName.isEmpty() ? "none" : String.join(", ", byName.keySet())));
        }
        return d;
    }

    /** @throws IllegalArgumentException saying where the device that has {@code name} came from */
    void requireFree(String name) {
        if (byName.containsKey(name)) {
            PlatformDevice other = byName.get(name);
            throw new IllegalArgumentException("a device named " + name + " exists already (" + describe(other.origin) + ")");
        }
    }

    /**
     * Every stream ID of {@code descriptor} is free: no device but {@code self} (null for a new
     * device) has it. An IOMMU tells devices apart by stream ID alone (SMMU StreamID, PCI
     * requester ID), so two devices with one ID would share translations and faults.
     *
     * @throws IllegalArgumentException naming the stream ID and the device that has it
     */
    void requireFreeStreams(org.iommulab.api.platform.DeviceDescriptor descriptor, PlatformDevice self) {
        int[] wanted = descriptor.streamIds();
        for (PlatformDevice other : byName.values()) {
            if (other == self || other.name.equals(descriptor.name())) {
                continue;
            }
            int[] taken = other.sim.descriptor().streamIds();
            for (int sid : wanted) {
                for (int t : taken) {
                    if (sid == t) {
                        throw new IllegalArgumentException(String.format("device %s: stream ID 0x%x is taken by device %s "
                                + "(an IOMMU tells devices apart by stream ID); pick another", descriptor.name(), sid, other.name));
                    }
                }
            }
        }
    }

    void put(PlatformDevice d) {
        byName.put(d.name, d);
    }

    void remove(PlatformDevice d) {
        byName.remove(d.name, d);
    }

    void clear() {
        byName.clear();
    }

    int size() {
        return byName.size();
    }

    List<DeviceStatus> statuses() {
        List<DeviceStatus> out = new ArrayList<>();
        for (PlatformDevice d : byName.values()) {
            out.add(d.status());
        }
        return out;
    }

    /** Every device's counters on every backend it met. */
    List<DeviceStats> allStats() {
        List<DeviceStats> out = new ArrayList<>();
        for (PlatformDevice d : byName.values()) {
            for (StatCounters c : d.allStats()) {
                out.add(c.snapshot());
            }
        }
        return out;
    }

    /** How many devices are bound to {@code e} now. */
    int boundTo(BackendEntry e) {
        int n = 0;
        for (PlatformDevice d : byName.values()) {
            if (d.backend() == e) {
                n++;
            }
        }
        return n;
    }

    private static String describe(DeviceOrigin o) {
        switch (o) {
            case DEFAULT:
                return "a default device; set defaultDevices=false in org.iommulab.platform or pick another name";
            case CONFIGURATION:
                return "from another org.iommulab.device configuration";
            default:
                return "added by PlatformAdmin.addDevice";
        }
    }
}
