package org.iommulab.replay.internal.command;

import java.util.ArrayList;
import java.util.List;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The parsed arguments of {@code replay TRACE... [--backend NAME]... [--devices FILE]
 * [--set KEY=VALUE]... [--sg-guess] [--granule BYTES] [--keep-devices] [--calls FILE] [--json FILE]
 * [--csv FILE] [--quiet]}, read by the picocli model {@link Model}. A leading word {@code replay}
 * is accepted and dropped, so a whole command line can be passed. Several traces are replayed one
 * after the other, with the same options.
 */
record ReplayArgs(List<String> traces, List<String> backends, String devicesFile, List<String> settings, boolean sgGuess,
        long granule, boolean keepDevices, boolean quiet, String callsFile, String jsonFile, String csvFile) {

    /** The usage text, rendered by picocli from {@link Model}. */
    static final String USAGE = new CommandLine(new Model()).getUsageMessage(CommandLine.Help.Ansi.OFF);

    /** The replay's options as picocli reads them; {@link #parse} adds the checks across options. */
    @Command(name = "replay", sortOptions = false, usageHelpWidth = 110, synopsisHeading = "",
            customSynopsis = {"usage: replay TRACE... [--backend NAME]... [--devices FILE] [--set KEY=VALUE]...",
                "              [--sg-guess] [--granule BYTES] [--keep-devices] [--calls FILE] [--json FILE] [--csv FILE]",
                "              [--quiet]"})
    static final class Model {
        @Option(names = {"-h", "--help"}, usageHelp = true, description = "print this help and exit")
        boolean help;

        // 0..*, not 1..*: no trace is reported by parse in the replay's own words.
        @Parameters(paramLabel = "TRACE", arity = "0..*", description = {
            "text of /sys/kernel/tracing/trace or of 'trace-cmd report', plain, gzip or xz;",
            "several traces are replayed one after the other"})
        List<String> traces = new ArrayList<>();

        @Option(names = "--backend", paramLabel = "NAME", description = "replay on this backend (repeatable); default: every registered backend in turn")
        List<String> backends = new ArrayList<>();

        @Option(names = "--devices", paramLabel = "FILE", description = "device settings (device.<trace-name>.mask=64 ...; see the replay README)")
        String devices;

        @Option(names = "--set", paramLabel = "KEY=VALUE", description = "one device setting, as in the file (repeatable)")
        List<String> settings = new ArrayList<>();

        @Option(names = "--sg-guess", description = "replay dma_map_sg calls whose entry lengths are uncertain with a guessed layout")
        boolean sgGuess;

        // A string, decoded by parse: Long.decode takes 4096 and 0x1000 alike.
        @Option(names = "--granule", paramLabel = "BYTES", description = "IOMMU granule the sg rebuild assumes (default 4096)")
        String granule;

        @Option(names = "--keep-devices", description = "leave the devices the replay added on the platform")
        boolean keepDevices;

        @Option(names = "--calls", paramLabel = "FILE", description = {
            "write one JSON line per traced call and backend: its trace line, trace and",
            "replayed DMA address, whether address and layout are equal, and the reason when",
            "not (one trace)"})
        String calls;

        @Option(names = "--json", paramLabel = "FILE", description = {
            "write one record per trace, device and backend: every figure of the tables and",
            "the options that produced it (iommulab-results schema, kind replay)"})
        String json;

        @Option(names = "--csv", paramLabel = "FILE", description = "the same records as CSV")
        String csv;

        @Option(names = "--quiet", description = "no progress lines")
        boolean quiet;
    }

    /**
     * The long option names the replay reads (without {@code --help}), for a check that the
     * application's {@code replay} model declares the same.
     */
    static List<String> optionNames() {
        List<String> names = new ArrayList<>();
        for (CommandLine.Model.OptionSpec o : new CommandLine(new Model()).getCommandSpec().options()) {
            if (!o.usageHelp()) {
                names.add(o.longestName());
            }
        }
        return names;
    }

    /** @throws IllegalArgumentException with a one-line reason */
    static ReplayArgs parse(List<String> args) {
        List<String> a = new ArrayList<>(args);
        if (!a.isEmpty() && a.get(0).equals("replay")) {
            a.remove(0);
        }
        Model m = new Model();
        try {
            // Defaults: an option given twice is an error (picocli's), as a second --devices was.
            new CommandLine(m).parseArgs(a.toArray(String[]::new));
        } catch (CommandLine.ParameterException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        long granule = 4096;
        if (m.granule != null) {
            try {
                granule = Long.decode(m.granule);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--granule needs a number of bytes");
            }
        }
        if (m.traces.isEmpty()) {
            throw new IllegalArgumentException("no trace file given");
        }
        if (m.calls != null && m.traces.size() > 1) {
            throw new IllegalArgumentException("--calls takes one trace; got " + m.traces.size());
        }
        return new ReplayArgs(List.copyOf(m.traces), List.copyOf(m.backends), m.devices, List.copyOf(m.settings), m.sgGuess,
                granule, m.keepDevices, m.quiet, m.calls, m.json, m.csv);
    }

    /** The first (or only) trace. */
    String trace() {
        return traces.get(0);
    }
}
