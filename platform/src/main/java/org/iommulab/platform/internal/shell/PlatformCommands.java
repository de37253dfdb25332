package org.iommulab.platform.internal.shell;

import java.util.ArrayList;
import java.util.List;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.iommulab.api.admin.DeviceStats;
import org.iommulab.api.admin.DeviceStatus;
import org.iommulab.api.admin.Stat;
import org.iommulab.api.checker.Finding;
import org.iommulab.api.dma.DmaMasks;
import org.iommulab.api.platform.DmaFault;
import org.iommulab.platform.internal.core.BackendEntry;
import org.iommulab.platform.internal.core.DevicePlatform;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The {@code iommu:} shell commands: backends, devices, bind, stats, faults, findings, dmalog
 * (not {@code log}: gogo.command's {@code felix:log} prints the OSGi log under that name). Each returns
 * the text Gogo prints; an unknown device or backend throws {@link IllegalArgumentException}
 * with a one-line message naming what exists. Registered under its own class, not an API type.
 */
@Component(service = PlatformCommands.class)
@GogoCommand(scope = "iommu", function = {"backends", "devices", "bind", "stats", "faults", "findings", "dmalog"})
public final class PlatformCommands {
    private final DevicePlatform platform;

    @Activate
    public PlatformCommands(@Reference(name = "platform") DevicePlatform platform) {
        this.platform = platform;
    }

    @Descriptor("list the registered DMA backends, best first, with ranking and bound devices")
    public String backends() {
        List<BackendEntry> entries = platform.backendEntries();
        if (entries.isEmpty()) {
            return "no backends registered\n";
        }
        TextTable t = new TextTable("BACKEND", "#RANKING", "#DEVICES");
        for (BackendEntry e : entries) {
            t.row(e.name(), e.ranking(), platform.deviceCount(e));
        }
        return t.toString();
    }

    @Descriptor("list the devices with their backend, DMA mask, stream IDs and swap count")
    public String devices() {
        List<DeviceStatus> all = platform.devices();
        if (all.isEmpty()) {
            return "no devices\n";
        }
        TextTable t = new TextTable("DEVICE", "BACKEND", "MASK", "SID", "#SWAPS", "TARGET");
        for (DeviceStatus s : all) {
            t.row(s.name(), s.backend() == null ? "(unbound)" : s.backend(), mask(platform.dmaMask(s.name())),
                    sids(s.descriptor().streamIds()), s.swaps(), s.targetFilter());
        }
        return t.toString();
    }

    @Descriptor("move a device to a backend with the swap protocol and pin it there")
    public String bind(@Descriptor("device name") String device, @Descriptor("backend name") String backend) {
        platform.bind(device, backend);
        DeviceStatus s = platform.device(device);
        return s.name() + " -> " + s.backend() + " (swaps " + s.swaps() + ")\n";
    }

    @Descriptor("counters of every device on every backend it has been bound to")
    public String stats() {
        List<DeviceStats> all = platform.allStats();
        if (all.isEmpty()) {
            return "no statistics yet\n";
        }
        List<Stat> shown = new ArrayList<>();
        for (Stat s : Stat.values()) {
            if (s == Stat.MAPS || s == Stat.UNMAPS || all.stream().anyMatch(x -> x.get(s) != 0)) {
                shown.add(s);
            }
        }
        String[] headers = new String[shown.size() + 2];
        headers[0] = "DEVICE";
        headers[1] = "BACKEND";
        for (int i = 0; i < shown.size(); i++) {
            headers[i + 2] = "#" + shown.get(i).name();
        }
        TextTable t = new TextTable(headers);
        for (DeviceStats ds : all) {
            Object[] row = new Object[headers.length];
            row[0] = ds.device();
            row[1] = ds.backend();
            for (int i = 0; i < shown.size(); i++) {
                row[i + 2] = ds.get(shown.get(i));
            }
            t.row(row);
        }
        return t + "(counters that are 0 everywhere are left out; 'stats <device>' shows all)\n";
    }

    @Descriptor("every counter of one device, one column per backend it has been bound to")
    public String stats(@Descriptor("device name") String device) {
        DeviceStatus status = platform.device(device);
        List<DeviceStats> mine = new ArrayList<>();
        for (DeviceStats s : platform.allStats()) {
            if (s.device().equals(device)) {
                mine.add(s);
            }
        }
        if (mine.isEmpty()) {
            mine.add(platform.stats(device));
        }
        String[] headers = new String[mine.size() + 1];
        headers[0] = "STAT";
        for (int i = 0; i < mine.size(); i++) {
            String b = mine.get(i).backend();
            headers[i + 1] = "#" + b + (b.equals(status.backend()) ? "*" : "");
        }
        TextTable t = new TextTable(headers);
        for (Stat s : Stat.values()) {
            Object[] row = new Object[headers.length];
            row[0] = s.name().toLowerCase();
            for (int i = 0; i < mine.size(); i++) {
                row[i + 1] = mine.get(i).get(s);
            }
            t.row(row);
        }
        return device + (status.backend() == null ? " (unbound)" : " (* bound now)") + "\n" + t;
    }

    @Descriptor("the most recent DMA faults, oldest first")
    public String faults() {
        List<DmaFault> faults = platform.faults();
        if (faults.isEmpty()) {
            return "no faults\n";
        }
        StringBuilder b = new StringBuilder();
        int i = 1;
        for (DmaFault f : faults) {
            b.append(String.format("%4d  %s%n", i++, f));
        }
        return b.toString();
    }

    @Descriptor("the DMA-API checker's most recent findings, oldest first")
    public String findings() {
        return findings(null, platform.findings());
    }

    @Descriptor("the DMA-API checker's most recent findings for one device, oldest first")
    public String findings(@Descriptor("device name") String device) {
        platform.device(device);
        List<Finding> mine = new ArrayList<>();
        for (Finding f : platform.findings()) {
            if (f.device().equals(device)) {
                mine.add(f);
            }
        }
        return findings(device, mine);
    }

    /** One finding per entry: number, kind, backend, the message, then where it was called and mapped. */
    private String findings(String device, List<Finding> list) {
        if (!platform.checkerEnabled()) {
            return "the DMA-API checker is off (checker.enabled=false in " + "org.iommulab.platform" + ")\n";
        }
        if (list.isEmpty()) {
            return (device == null ? "" : device + ": ") + "no findings\n";
        }
        StringBuilder b = new StringBuilder();
        for (Finding f : list) {
            b.append(String.format("%4d  %s on %s%n      %s%n", f.sequence(), f.kind(), f.backend(), f.message()));
            if (f.calledAt() != null) {
                b.append("      at ").append(f.calledAt()).append('\n');
            }
            if (f.mappedAt() != null) {
                b.append("      mapped at ").append(f.mappedAt()).append('\n');
            }
        }
        return b.toString();
    }

    @Descriptor("the DMA log of one device: backend warnings, swaps, leaks, findings and refused DMA API calls")
    public String dmalog(@Descriptor("device name") String device) {
        List<String> lines = platform.log(device);
        if (lines.isEmpty()) {
            return device + ": log is empty\n";
        }
        return String.join("\n", lines) + "\n";
    }

    private static String mask(long mask) {
        return DmaMasks.isValidMask(mask) ? DmaMasks.width(mask) + "-bit" : String.format("0x%x", mask);
    }

    private static String sids(int[] ids) {
        StringBuilder b = new StringBuilder();
        for (int id : ids) {
            if (b.length() > 0) {
                b.append(',');
            }
            b.append(String.format("0x%x", id));
        }
        return b.toString();
    }
}
