package org.iommulab.devices.internal.core;

import java.util.ArrayList;
import java.util.List;

import org.iommulab.api.admin.DeviceStatus;
import org.iommulab.api.admin.PlatformAdmin;
import org.iommulab.api.dma.DmaMasks;
import org.iommulab.api.platform.DeviceDescriptor;

/**
 * The devices this bundle brings beyond the platform's defaults, added with
 * {@link PlatformAdmin#addDevice} and removed again when the bundle stops.
 *
 * <p>Why addDevice and not {@code org.iommulab.device} factory configurations: the devices
 * belong to this bundle's drivers, so they should come and go with it, need nothing installed
 * in ConfigAdmin, and cannot be left behind in a configuration store. A device of the same name
 * that exists already (a user configured one) is left alone: used, never removed.
 * <table>
 * <caption>devices added</caption>
 * <tr><th>name</th><th>stream ID</th><th>mask</th><th>role</th></tr>
 * <tr><td>mmc0</td><td>0x60</td><td>32-bit</td><td>SD/MMC host driven by the correct DMA+PIO driver</td></tr>
 * <tr><td>mmc1</td><td>0x61</td><td>32-bit</td><td>the same host, driven by the seed case's buggy driver</td></tr>
 * <tr><td>testdev0</td><td>0x50</td><td>32-bit</td><td>programmable DMA master (loopback workload)</td></tr>
 * </table>
 * Everything else is Linux's default, in particular the 64 KiB max segment size that lets an
 * IOMMU merge a 16-page MMC request into one DMA segment although the host's DMA engine takes
 * only 4 KiB per descriptor: the trap of the seed case.
 */
public final class ExtraDevices {
    private ExtraDevices() {
    }

    public static List<DeviceDescriptor> all() {
        return List.of(
                DeviceDescriptor.builder(DeviceNames.MMC).streamIds(0x60).dmaMask(DmaMasks.bits(32)).build(),
                DeviceDescriptor.builder(DeviceNames.MMC_BUGGY).streamIds(0x61).dmaMask(DmaMasks.bits(32)).build(),
                DeviceDescriptor.builder(DeviceNames.TESTDEV).streamIds(0x50).dmaMask(DmaMasks.bits(32)).build());
    }

    /** Adds every device of {@link #all()} that {@code admin} does not have; returns the names added. */
    public static List<String> addMissing(PlatformAdmin admin) {
        List<String> present = new ArrayList<>();
        for (DeviceStatus s : admin.devices()) {
            present.add(s.name());
        }
        List<String> added = new ArrayList<>();
        for (DeviceDescriptor d : all()) {
            if (!present.contains(d.name())) {
                admin.addDevice(d);
                added.add(d.name());
            }
        }
        return added;
    }

    /** Removes the devices {@link #addMissing} added (their drivers are released first); failures are returned, not thrown. */
    public static List<String> remove(PlatformAdmin admin, List<String> added) {
        List<String> problems = new ArrayList<>();
        for (String name : added) {
            try {
                admin.removeDevice(name);
            } catch (RuntimeException e) {
                problems.add(name + ": " + e.getMessage());
            }
        }
        return problems;
    }
}
