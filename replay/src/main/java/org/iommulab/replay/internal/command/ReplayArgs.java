package org.iommulab.replay.internal.command;

import java.util.ArrayList;
import java.util.List;

/**
 * The parsed arguments of {@code replay TRACE... [--backend NAME]... [--devices FILE]
 * [--set KEY=VALUE]... [--sg-guess] [--granule BYTES] [--keep-devices] [--calls FILE] [--json FILE]
 * [--csv FILE] [--quiet]}. A leading word {@code replay} is accepted and dropped, so a whole
 * command line can be passed. Several traces are replayed one after the other, with the same
 * options.
 */
record ReplayArgs(List<String> traces, List<String> backends, String devicesFile, List<String> settings, boolean sgGuess,
        long granule, boolean keepDevices, boolean quiet, String callsFile, String jsonFile, String csvFile) {

    static final String USAGE = "usage: replay TRACE... [--backend NAME]... [--devices FILE] [--set KEY=VALUE]...\n"
            + "              [--sg-guess] [--granule BYTES] [--keep-devices] [--calls FILE] [--json FILE] [--csv FILE] [--quiet]\n"
            + "  TRACE...        text of /sys/kernel/tracing/trace or of 'trace-cmd report', plain, gzip or xz;\n"
            + "                  several traces are replayed one after the other\n"
            + "  --backend NAME  replay on this backend (repeatable); default: every registered backend in turn\n"
            + "  --devices FILE  device settings (device.<trace-name>.mask=64 ...; see the replay README)\n"
            + "  --set KEY=VALUE one device setting, as in the file\n"
            + "  --sg-guess      replay dma_map_sg calls whose entry lengths are uncertain with a guessed layout\n"
            + "  --granule BYTES IOMMU granule the sg rebuild assumes (default 4096)\n"
            + "  --keep-devices  leave the devices the replay added on the platform\n"
            + "  --calls FILE    write one JSON line per traced call and backend: its trace line, trace and replayed DMA\n"
            + "                  address, whether address and layout are equal, and the reason when not (one trace)\n"
            + "  --json FILE     write one record per trace, device and backend: every figure of the tables and\n"
            + "                  the options that produced it (iommulab-results schema, kind replay)\n"
            + "  --csv FILE      the same records as CSV\n"
            + "  --quiet         no progress lines\n";

    /** @throws IllegalArgumentException with a one-line reason */
    static ReplayArgs parse(List<String> args) {
        List<String> a = new ArrayList<>(args);
        if (!a.isEmpty() && a.get(0).equals("replay")) {
            a.remove(0);
        }
        List<String> traces = new ArrayList<>();
        String json = null;
        String csv = null;
        List<String> backends = new ArrayList<>();
        List<String> settings = new ArrayList<>();
        String devices = null;
        String calls = null;
        boolean guess = false;
        boolean keep = false;
        boolean quiet = false;
        long granule = 4096;
        for (int i = 0; i < a.size(); i++) {
            String s = a.get(i);
            switch (s) {
                case "--backend":
                    backends.add(value(a, ++i, s));
                    break;
                case "--devices":
                    if (devices != null) {
                        throw new IllegalArgumentException("--devices given twice");
                    }
                    devices = value(a, ++i, s);
                    break;
                case "--set":
                    settings.add(value(a, ++i, s));
                    break;
                case "--calls":
                    if (calls != null) {
                        throw new IllegalArgumentException("--calls given twice");
                    }
                    calls = value(a, ++i, s);
                    break;
                case "--json":
                    if (json != null) {
                        throw new IllegalArgumentException("--json given twice");
                    }
                    json = value(a, ++i, s);
                    break;
                case "--csv":
                    if (csv != null) {
                        throw new IllegalArgumentException("--csv given twice");
                    }
                    csv = value(a, ++i, s);
                    break;
                case "--granule":
                    try {
                        granule = Long.decode(value(a, ++i, s));
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("--granule needs a number of bytes");
                    }
                    break;
                case "--sg-guess":
                    guess = true;
                    break;
                case "--keep-devices":
                    keep = true;
                    break;
                case "--quiet":
                    quiet = true;
                    break;
                default:
                    if (s.startsWith("--")) {
                        throw new IllegalArgumentException("unknown option " + s);
                    }
                    traces.add(s);
            }
        }
        if (traces.isEmpty()) {
            throw new IllegalArgumentException("no trace file given");
        }
        if (calls != null && traces.size() > 1) {
            throw new IllegalArgumentException("--calls takes one trace; got " + traces.size());
        }
        return new ReplayArgs(List.copyOf(traces), List.copyOf(backends), devices, List.copyOf(settings), guess, granule, keep,
                quiet, calls, json, csv);
    }

    /** The first (or only) trace. */
    String trace() {
        return traces.get(0);
    }

    private static String value(List<String> a, int i, String option) {
        if (i >= a.size() || a.get(i).startsWith("--")) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return a.get(i);
    }
}
