package org.iommulab.replay.internal.command;

import java.util.ArrayList;
import java.util.List;

/**
 * The parsed arguments of {@code replay TRACE [--backend NAME]... [--devices FILE]
 * [--set KEY=VALUE]... [--sg-guess] [--granule BYTES] [--keep-devices] [--calls FILE] [--quiet]}. A leading
 * word {@code replay} is accepted and dropped, so a whole command line can be passed.
 */
record ReplayArgs(String trace, List<String> backends, String devicesFile, List<String> settings, boolean sgGuess,
        long granule, boolean keepDevices, boolean quiet, String callsFile) {

    static final String USAGE = "usage: replay TRACE [--backend NAME]... [--devices FILE] [--set KEY=VALUE]...\n"
            + "              [--sg-guess] [--granule BYTES] [--keep-devices] [--calls FILE] [--quiet]\n"
            + "  TRACE           text of /sys/kernel/tracing/trace or of 'trace-cmd report', plain, gzip or xz\n"
            + "  --backend NAME  replay on this backend (repeatable); default: every registered backend in turn\n"
            + "  --devices FILE  device settings (device.<trace-name>.mask=64 ...; see the replay README)\n"
            + "  --set KEY=VALUE one device setting, as in the file\n"
            + "  --sg-guess      replay dma_map_sg calls whose entry lengths are uncertain with a guessed layout\n"
            + "  --granule BYTES IOMMU granule the sg rebuild assumes (default 4096)\n"
            + "  --keep-devices  leave the devices the replay added on the platform\n"
            + "  --calls FILE    write one JSON line per traced call and backend: its trace line, trace and replayed DMA\n"
            + "                  address, whether address and layout are equal, and the reason when not\n"
            + "  --quiet         no progress lines\n";

    /** @throws IllegalArgumentException with a one-line reason */
    static ReplayArgs parse(List<String> args) {
        List<String> a = new ArrayList<>(args);
        if (!a.isEmpty() && a.get(0).equals("replay")) {
            a.remove(0);
        }
        String trace = null;
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
                    if (trace != null) {
                        throw new IllegalArgumentException("one trace at a time; got " + trace + " and " + s);
                    }
                    trace = s;
            }
        }
        if (trace == null) {
            throw new IllegalArgumentException("no trace file given");
        }
        return new ReplayArgs(trace, List.copyOf(backends), devices, List.copyOf(settings), guess, granule, keep, quiet,
                calls);
    }

    private static String value(List<String> a, int i, String option) {
        if (i >= a.size() || a.get(i).startsWith("--")) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return a.get(i);
    }
}
