package org.iommulab.app.internal.scenario;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import org.iommulab.api.admin.DeviceStatus;
import org.iommulab.api.admin.PlatformAdmin;
import org.iommulab.api.dma.DmaMasks;
import org.iommulab.api.platform.DeviceDescriptor;
import org.iommulab.devices.Workload;
import org.iommulab.devices.WorkloadParams;

/**
 * Checks a {@link Scenario} against what is running (backends, devices, workloads and the
 * sizes each workload takes) and turns it into a {@link Plan}. Every problem is a
 * {@link ScenarioException} naming the line, found before anything runs or changes.
 */
public final class ScenarioCheck {
    /** The order the main job lists the standard workloads in; others follow by name. */
    public static final List<String> ORDER = List.of("loopback", "nic", "nic-ext", "nvme", "camera", "mmc", "mmc-buggy");

    private ScenarioCheck() {
    }

    /**
     * @param present the workloads registered now, by name (one instance each, any backend)
     * @throws ScenarioException for the first line that does not fit the running platform
     */
    public static Plan plan(Scenario s, PlatformAdmin admin, Map<String, Workload> present) {
        List<String> backends = backends(s, admin.backends());
        List<Plan.Run> runs = new ArrayList<>();
        if (s.workloads().isEmpty()) {
            for (String name : ordered(present.keySet())) {
                runs.add(run(s, present.get(name), params(s, null), 0));
            }
        } else {
            for (Scenario.WorkloadLine l : s.workloads()) {
                Workload w = present.get(l.name());
                if (w == null) {
                    throw new ScenarioException(s.source(), l.line(), "workload '" + l.name() + "' is not present; present: "
                            + (present.isEmpty() ? "none" : String.join(", ", ordered(present.keySet()))));
                }
                runs.add(run(s, w, params(s, l), l.line()));
            }
        }
        List<Plan.DeviceChange> changes = new ArrayList<>();
        for (Scenario.DeviceLine d : s.devices()) {
            changes.add(change(s, d, admin));
        }
        return new Plan(backends, runs, changes);
    }

    /** {@code names} in the main job's order. */
    public static List<String> ordered(java.util.Collection<String> names) {
        List<String> l = new ArrayList<>(names);
        l.sort(Comparator.comparingInt((String n) -> ORDER.contains(n) ? ORDER.indexOf(n) : ORDER.size())
                .thenComparing(Comparator.naturalOrder()));
        return l;
    }

    private static List<String> backends(Scenario s, List<String> present) {
        if (s.backends() == null) {
            return present;
        }
        List<String> out = new ArrayList<>();
        for (String b : s.backends()) {
            if (!present.contains(b)) {
                throw new ScenarioException(s.source(), s.backendsLine(), "backend '" + b + "' is not present; present: "
                        + (present.isEmpty() ? "none" : String.join(", ", present)));
            }
            if (out.contains(b)) {
                throw new ScenarioException(s.source(), s.backendsLine(), "backend '" + b + "' is listed twice");
            }
            out.add(b);
        }
        return out;
    }

    private static WorkloadParams params(Scenario s, Scenario.WorkloadLine l) {
        int rounds = l != null && l.rounds() != null ? l.rounds() : s.rounds();
        long size = l != null && l.size() != null ? l.size() : s.size();
        long seed = l != null && l.seed() != null ? l.seed() : s.seed();
        return new WorkloadParams(rounds, size, seed);
    }

    private static Plan.Run run(Scenario s, Workload w, WorkloadParams params, int line) {
        try {
            w.check(params);
        } catch (IllegalArgumentException e) {
            int at = line > 0 ? line : s.sizeLine();
            throw new ScenarioException(s.source(), at, "workload " + w.name() + ": " + e.getMessage()
                    + (line == 0 && at > 0 ? " (the default size of this line applies to every workload)" : ""));
        }
        return new Plan.Run(w.name(), w.deviceName(), w.seededBug(), params);
    }

    private static Plan.DeviceChange change(Scenario s, Scenario.DeviceLine d, PlatformAdmin admin) {
        DeviceStatus status = admin.devices().stream().filter(x -> x.name().equals(d.name())).findFirst()
                .orElseThrow(() -> new ScenarioException(s.source(), d.line(), "device '" + d.name() + "' is not present; present: "
                        + String.join(", ", admin.devices().stream().map(DeviceStatus::name).toList())));
        DeviceDescriptor original = status.descriptor();
        DeviceDescriptor.Builder b = original.toBuilder();
        String src = s.source();
        int n = d.line();
        for (Map.Entry<String, String> e : d.settings().entrySet()) {
            String v = e.getValue();
            switch (e.getKey()) {
                case "sid":
                    b.streamIds((int) ScenarioParser.number(src, n, "sid", v));
                    break;
                case "mask":
                    b.dmaMask(bits(src, n, "mask", v, false));
                    break;
                case "buslimit":
                    b.busDmaLimit(bits(src, n, "buslimit", v, true));
                    break;
                case "coherent":
                    b.coherent(ScenarioParser.bool(src, n, "coherent", v));
                    break;
                case "trusted":
                    b.trusted(ScenarioParser.bool(src, n, "trusted", v));
                    break;
                case "pci":
                    b.pci(ScenarioParser.bool(src, n, "pci", v));
                    break;
                case "maxseg":
                    b.maxSegmentSize(ScenarioParser.size(src, n, "maxseg", v));
                    break;
                case "boundary":
                    b.segmentBoundaryMask(ScenarioParser.number(src, n, "boundary", v));
                    break;
                case "minalign":
                    b.minAlignMask(ScenarioParser.number(src, n, "minalign", v));
                    break;
                default:
                    throw new ScenarioException(src, n, "unknown device setting '" + e.getKey() + "'");
            }
        }
        try {
            return new Plan.DeviceChange(n, original, b.build());
        } catch (IllegalArgumentException e) {
            throw new ScenarioException(src, n, e.getMessage());
        }
    }

    private static long bits(String src, int n, String key, String v, boolean zeroAllowed) {
        long bits = ScenarioParser.number(src, n, key, v);
        if (zeroAllowed && bits == 0) {
            return 0;
        }
        if (bits < 1 || bits > 64) {
            throw new ScenarioException(src, n, key + " is a width in bits, 1..64" + (zeroAllowed ? " or 0 for none" : "")
                    + ", got " + v);
        }
        return DmaMasks.bits((int) bits);
    }
}
