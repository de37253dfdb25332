package org.iommulab.app.internal.scenario;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a scenario file: one directive per line, words separated by blanks, {@code #} starts a
 * comment, blank lines are ignored. Numbers are decimal or {@code 0x} hex; sizes may end in
 * {@code K}, {@code M} or {@code G} (KiB, MiB, GiB).
 * <pre>
 * rounds N                       default rounds of every workload (1..1000000; default 16)
 * size BYTES                     default size of every workload (0: each workload's own; default 0)
 * seed N                         default seed (default 1)
 * backends NAME... | all         backends to run on, in this order (default: all present); once
 * workload NAME [rounds=N] [size=BYTES] [seed=N]
 *                                a workload to run, in this order (default: every workload present)
 * device NAME KEY=VALUE...       change a device for the run (restored afterwards); keys:
 *                                sid, mask (bits), buslimit (bits, 0 none), coherent, trusted, pci
 *                                (true/false), maxseg (bytes), boundary, minalign (masks 2^n-1)
 * config PID KEY=VALUE...        set properties of a configuration (a backend's PID) through
 *                                ConfigAdmin for the run (restored afterwards)
 * </pre>
 * A {@code workload}, {@code device} or {@code config} value may be a comma-separated list: the
 * file is then a sweep ({@link Sweep}) and this parser reads each of its points.
 * Every error names the line: "scenario FILE:LINE: ...". Nothing is checked against the
 * running platform here; {@link ScenarioCheck} does that.
 */
public final class ScenarioParser {
    static final Set<String> DEVICE_KEYS = Set.of("sid", "mask", "buslimit", "coherent", "trusted", "pci", "maxseg",
            "boundary", "minalign");
    private static final Set<String> WORKLOAD_KEYS = Set.of("rounds", "size", "seed");
    static final int MAX_ROUNDS = 1_000_000;

    private ScenarioParser() {
    }

    /** @throws ScenarioException for the first bad line; IOException when the input cannot be read */
    public static Scenario parse(String source, Reader input) throws IOException {
        int rounds = Scenario.DEFAULT_ROUNDS;
        long size = 0;
        int sizeLine = 0;
        long seed = Scenario.DEFAULT_SEED;
        List<String> backends = null;
        int backendsLine = 0;
        List<Scenario.WorkloadLine> workloads = new ArrayList<>();
        List<Scenario.DeviceLine> devices = new ArrayList<>();
        List<Scenario.ConfigLine> configs = new ArrayList<>();
        BufferedReader in = new BufferedReader(input);
        int n = 0;
        for (String raw = in.readLine(); raw != null; raw = in.readLine()) {
            n++;
            int hash = raw.indexOf('#');
            String text = (hash >= 0 ? raw.substring(0, hash) : raw).trim();
            if (text.isEmpty()) {
                continue;
            }
            String[] w = text.split("\\s+");
            String[] args = Arrays.copyOfRange(w, 1, w.length);
            switch (w[0]) {
                case "rounds":
                    rounds = rounds(source, n, single(source, n, w[0], args));
                    break;
                case "size":
                    size = size(source, n, "size", single(source, n, w[0], args));
                    sizeLine = n;
                    break;
                case "seed":
                    seed = number(source, n, "seed", single(source, n, w[0], args));
                    break;
                case "backends":
                    if (backends != null) {
                        throw new ScenarioException(source, n, "a second 'backends' line (the first is line " + backendsLine + ")");
                    }
                    if (args.length == 0) {
                        throw new ScenarioException(source, n, "'backends' needs at least one backend name, or 'all'");
                    }
                    backends = args.length == 1 && args[0].equals("all") ? null : List.of(args);
                    backendsLine = n;
                    break;
                case "workload":
                    workloads.add(workload(source, n, args));
                    break;
                case "device":
                    devices.add(device(source, n, args));
                    break;
                case "config":
                    configs.add(config(source, n, args));
                    break;
                default:
                    throw new ScenarioException(source, n, "unknown directive '" + w[0]
                            + "'; expected rounds, size, seed, backends, workload, device or config");
            }
        }
        return new Scenario(source, rounds, size, sizeLine, seed, backends, backendsLine, workloads, devices, configs);
    }

    private static Scenario.WorkloadLine workload(String source, int n, String[] args) {
        if (args.length == 0 || args[0].contains("=")) {
            throw new ScenarioException(source, n, "'workload' needs a workload name first, e.g. 'workload mmc rounds=8'");
        }
        Map<String, String> kv = settings(source, n, args, WORKLOAD_KEYS, "workload");
        return new Scenario.WorkloadLine(n, args[0],
                kv.containsKey("rounds") ? rounds(source, n, kv.get("rounds")) : null,
                kv.containsKey("size") ? size(source, n, "size", kv.get("size")) : null,
                kv.containsKey("seed") ? number(source, n, "seed", kv.get("seed")) : null);
    }

    private static Scenario.DeviceLine device(String source, int n, String[] args) {
        if (args.length < 2 || args[0].contains("=")) {
            throw new ScenarioException(source, n, "'device' needs a device name and at least one KEY=VALUE, e.g. 'device mmc1 maxseg=4096'");
        }
        Map<String, String> kv = settings(source, n, args, DEVICE_KEYS, "device");
        for (Map.Entry<String, String> e : kv.entrySet()) {
            switch (e.getKey()) {
                case "coherent":
                case "trusted":
                case "pci":
                    bool(source, n, e.getKey(), e.getValue());
                    break;
                case "maxseg":
                    size(source, n, e.getKey(), e.getValue());
                    break;
                default:
                    number(source, n, e.getKey(), e.getValue());
            }
        }
        return new Scenario.DeviceLine(n, args[0], kv);
    }

    private static Scenario.ConfigLine config(String source, int n, String[] args) {
        if (args.length < 2 || args[0].contains("=")) {
            throw new ScenarioException(source, n,
                    "'config' needs a configuration PID and at least one KEY=VALUE, e.g. 'config org.iommulab.iommu.dma mode=lazy'");
        }
        Map<String, String> kv = settings(source, n, args, null, "config");
        for (Map.Entry<String, String> e : kv.entrySet()) {
            kv.put(e.getKey(), Sweep.unescape(e.getValue()));
        }
        return new Scenario.ConfigLine(n, args[0], kv);
    }

    private static Map<String, String> settings(String source, int n, String[] args, Set<String> keys, String what) {
        Map<String, String> kv = new LinkedHashMap<>();
        for (int i = 1; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            String key = eq < 0 ? args[i] : args[i].substring(0, eq);
            if (eq <= 0 || eq == args[i].length() - 1) {
                throw new ScenarioException(source, n, "'" + args[i] + "' is not KEY=VALUE");
            }
            if (keys != null && !keys.contains(key)) {
                throw new ScenarioException(source, n, "unknown " + what + " setting '" + key + "'; known: "
                        + String.join(", ", keys.stream().sorted().toList()));
            }
            if (kv.put(key, args[i].substring(eq + 1)) != null) {
                throw new ScenarioException(source, n, "'" + key + "' given twice");
            }
        }
        return kv;
    }

    private static String single(String source, int n, String directive, String[] args) {
        if (args.length != 1) {
            throw new ScenarioException(source, n, "'" + directive + "' takes exactly one value, got " + args.length);
        }
        return args[0];
    }

    private static int rounds(String source, int n, String text) {
        long v = number(source, n, "rounds", text);
        if (v < 1 || v > MAX_ROUNDS) {
            throw new ScenarioException(source, n, "rounds must be 1.." + MAX_ROUNDS + ", got " + text);
        }
        return (int) v;
    }

    /** A byte count, with an optional K, M or G suffix. */
    static long size(String source, int n, String key, String text) {
        long unit = 1;
        String digits = text;
        char last = Character.toUpperCase(text.charAt(text.length() - 1));
        if (last == 'K' || last == 'M' || last == 'G') {
            unit = last == 'K' ? 1L << 10 : last == 'M' ? 1L << 20 : 1L << 30;
            digits = text.substring(0, text.length() - 1);
        }
        long v = number(source, n, key, digits);
        if (v < 0 || v > (1L << 40) / unit) {
            throw new ScenarioException(source, n, key + " must be 0..1T bytes, got " + text);
        }
        return v * unit;
    }

    /** A decimal or 0x-hex number. */
    static long number(String source, int n, String key, String text) {
        try {
            if (text.startsWith("0x") || text.startsWith("0X")) {
                return Long.parseUnsignedLong(text.substring(2), 16);
            }
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new ScenarioException(source, n, key + " must be a number (decimal or 0x hex), got '" + text + "'");
        }
    }

    static boolean bool(String source, int n, String key, String text) {
        if (text.equals("true") || text.equals("false")) {
            return Boolean.parseBoolean(text);
        }
        throw new ScenarioException(source, n, key + " must be true or false, got '" + text + "'");
    }
}
