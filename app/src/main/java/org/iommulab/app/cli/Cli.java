package org.iommulab.app.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * The command line of {@code java -jar iommulab.jar}, as one picocli model: the main job's
 * options and the modes {@code replay}, {@code tck}, {@code soak} and {@code merge}. Parsed
 * twice: by the jar's own {@link Main} before the container starts (help, usage errors,
 * {@code merge} and {@code --jobs} never start it), and by the main job inside the container
 * (the same words, from the launcher's {@code launcher.arguments}). Plain code, no OSGi.
 *
 * <p>Exit status of every mode: 0 as expected, 1 a run not as expected, 2 a bad command line,
 * scenario or configuration.
 */
public final class Cli {
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int BAD_INPUT = 2;

    private Cli() {
    }

    /** The main job: every workload on every backend, a scenario or sweep, or the shell. */
    @Command(name = "java -jar iommulab.jar", sortOptions = false, usageHelpWidth = 110,
            subcommands = {Replay.class, Tck.class, Soak.class, Merge.class},
            synopsisSubcommandLabel = "[replay | tck | soak | merge]",
            description = {
                "With no mode: run every workload on every backend present (or what --scenario FILE names) and print",
                "one table; --shell keeps a Gogo shell (g!) open on the running container instead.",
                "A scenario file has one directive per line ('#' starts a comment; numbers decimal or 0x hex, sizes",
                "may end in K, M or G):",
                "  rounds N | size BYTES | seed N       defaults of every workload (16, 0: the workload's own, 1)",
                "  backends NAME... | all               backends to run on, in this order (default: all present)",
                "  workload NAME [rounds=N] [size=BYTES] [seed=N]",
                "                                       a workload to run, in this order (default: all present)",
                "  device NAME KEY=VALUE...             change a device for the run (restored after): sid, mask (bits),",
                "                                       buslimit (bits), coherent, trusted, pci (true/false), maxseg",
                "                                       (bytes), boundary, minalign (masks 2^n-1)",
                "  config PID KEY=VALUE...              set a backend's configuration through ConfigAdmin for the run",
                "                                       (restored after), e.g. config org.iommulab.iommu.dma mode=lazy",
                "A workload, device or config value may list values (maxseg=4K,64K; mode=strict,lazy): the run",
                "covers the cross product of every such list (a sweep), each row marked with its point (#N).",
                ""},
            commandListHeading = "%nModes (each has --help; all of them below):%n",
            footer = {"",
                "Exit status: 0 everything as expected (the seeded bug caught wherever its list was merged),",
                "1 a run not as expected, 2 a bad command line, scenario or configuration."})
    public static final class Root {
        @Option(names = {"-h", "--help"}, usageHelp = true, description = "print this help (every mode's options) and exit")
        boolean help;

        @Option(names = "--scenario", paramLabel = "FILE", description = "run the backends, workloads, devices and configurations FILE names")
        Path scenario;

        @Option(names = "--shell", description = "keep the Gogo shell (g!) open instead of running the job")
        boolean shell;

        @Option(names = "--json", paramLabel = "FILE", description = "also write every run as a JSON record (schema in the README)")
        Path json;

        @Option(names = "--csv", paramLabel = "FILE", description = "also write every run as a CSV line")
        Path csv;

        @Option(names = "--shard", paramLabel = "I/N", description = "run only the I-th of N slices of the runs (1 <= I <= N); 'merge' joins the slices' --json files")
        String shard;

        @Option(names = "--jobs", paramLabel = "N", description = "run the sweep in N child processes of this jar at once (N shards, merged)")
        Integer jobs;

        @Option(names = "--cold", description = "no warm-up run: 'wall ms' then includes the JIT's warm-up (the first backend's rows look 2-4x slower)")
        boolean cold;

        @Option(names = {"-v", "--verbose"}, description = "the container's log (bundles, components, configuration) on standard error")
        boolean verbose;

        @Option(names = "--report", paramLabel = "FILE.html",
                description = "after the run, draw it into FILE.html: one self-contained page (inline SVG and CSS) with the seed picture, bars per backend, address spaces and the swiotlb pool over simulated time")
        Path report;

        // 8080: the console's default port (ConsoleLauncher.DEFAULT_PORT; an annotation needs the literal).
        @Option(names = "--console", arity = "0..1", paramLabel = "PORT", fallbackValue = "8080",
                description = "serve the Felix Web Console with the IOMMU page on http://127.0.0.1:PORT/system/console/iommu (default 8080), user iommulab, password from IOMMULAB_CONSOLE_PASSWORD or --console-password-file; no password, no console")
        Integer console;

        @Option(names = "--console-password-file", paramLabel = "FILE", description = "the console's password: the first line of FILE (at least 8 characters)")
        Path consolePasswordFile;
    }

    @Command(name = "replay", header = "replay Linux dma:/iommu: ftrace traces through every backend (replay/README.md)",
            sortOptions = false, usageHelpWidth = 110,
            description = {"Replays Linux dma:/iommu: ftrace output (text of /sys/kernel/tracing/trace or of",
                "'trace-cmd report', plain, gzip or xz) through every backend, or those named; one report per trace."})
    public static final class Replay {
        @Option(names = {"-h", "--help"}, usageHelp = true, description = "print this help and exit")
        boolean help;

        @Parameters(paramLabel = "TRACE", arity = "1..*", description = "trace files, replayed one after the other")
        List<String> traces = new ArrayList<>();

        @Option(names = "--backend", paramLabel = "NAME", description = "replay on this backend (repeatable; default: every registered backend in turn)")
        List<String> backends = new ArrayList<>();

        @Option(names = "--devices", paramLabel = "FILE", description = "device settings (device.<trace-name>.mask=64 ...; see the replay README)")
        String devices;

        @Option(names = "--set", paramLabel = "KEY=VALUE", description = "one device setting, as in the file (repeatable)")
        List<String> settings = new ArrayList<>();

        @Option(names = "--sg-guess", description = "replay dma_map_sg calls whose entry lengths are uncertain with a guessed layout")
        boolean sgGuess;

        @Option(names = "--granule", paramLabel = "BYTES", description = "IOMMU granule the sg rebuild assumes (default 4096)")
        String granule;

        @Option(names = "--keep-devices", description = "leave the devices the replay added on the platform")
        boolean keepDevices;

        @Option(names = "--calls", paramLabel = "FILE", description = "write one JSON line per traced call and backend (one trace only)")
        String calls;

        @Option(names = "--json", paramLabel = "FILE", description = "write one JSON record per trace, device and backend (schema in the README)")
        String json;

        @Option(names = "--csv", paramLabel = "FILE", description = "write the same records as CSV")
        String csv;

        @Option(names = "--quiet", description = "no progress lines")
        boolean quiet;

        @Option(names = "--report", paramLabel = "FILE.html", description = "after the replay, draw each device's live mappings and IOVA footprint over trace time into FILE.html")
        String report;

        @Option(names = "--verbose", description = "the container's log on standard error")
        boolean verbose;

        /** The words the replay service reads (its own argument format), without --verbose and --report (the app draws the report). */
        public List<String> serviceArguments() {
            List<String> a = new ArrayList<>(traces);
            backends.forEach(b -> { a.add("--backend"); a.add(b); });
            if (devices != null) { a.add("--devices"); a.add(devices); }
            settings.forEach(s -> { a.add("--set"); a.add(s); });
            if (sgGuess) { a.add("--sg-guess"); }
            if (granule != null) { a.add("--granule"); a.add(granule); }
            if (keepDevices) { a.add("--keep-devices"); }
            if (calls != null) { a.add("--calls"); a.add(calls); }
            if (json != null) { a.add("--json"); a.add(json); }
            if (csv != null) { a.add("--csv"); a.add(csv); }
            if (quiet) { a.add("--quiet"); }
            return a;
        }
    }

    @Command(name = "tck", header = "the conformance kit on every backend, or those named", sortOptions = false, usageHelpWidth = 110,
            description = {"Runs the conformance kit on every backend registered (or those named), after installing the given",
                "bundles. Prints one line per (check, backend): PASS, FAIL or SKIP with the reason, then",
                "'N passed, M failed, K skipped'."},
            footer = {"Exit status: 0 every check passed or was skipped, 1 a check failed, 2 bad arguments, a bundle that",
                "does not install or resolve, or a backend that never appears."})
    public static final class Tck {
        @Option(names = {"-h", "--help"}, usageHelp = true, description = "print this help and exit")
        boolean help;

        @Option(names = "--bundle", paramLabel = "FILE.jar", description = "install and start this bundle first and wait for the backends it registers; repeatable")
        public List<Path> bundles = new ArrayList<>();

        @Option(names = "--backend", paramLabel = "NAME", description = "run the checks on this backend only; repeatable (default: every backend registered)")
        public List<String> backends = new ArrayList<>();

        @Option(names = "--check", paramLabel = "ID", description = "run this check only; repeatable (default: all; the list is in the README)")
        public List<String> checks = new ArrayList<>();

        @Option(names = "--junit", paramLabel = "DIR", description = "also write JUnit XML, one TEST-tck.<backend>.xml per backend, into DIR")
        public Path junit;

        @Option(names = "--verbose", description = "the container's log on standard error")
        boolean verbose;
    }

    @Command(name = "soak", header = "every workload in a loop while devices move between backends at random",
            sortOptions = false, usageHelpWidth = 110,
            description = {"Runs every workload in a loop while devices move between all backends at random and backend",
                "bundles stop and start, until N swaps; progress on stderr, a summary on stdout."},
            footer = {"Exit status: 0 no deadlock, wrong byte, stale access, leak or exception was seen, 1 otherwise,",
                "2 bad arguments."})
    public static final class Soak {
        @Option(names = {"-h", "--help"}, usageHelp = true, description = "print this help and exit")
        boolean help;

        @Option(names = "--swaps", paramLabel = "N", required = true, converter = WholeNumber.class, description = "how many times devices move before the soak ends")
        public long swaps;

        @Option(names = "--seed", paramLabel = "S", converter = WholeNumber.class, description = "the seed of every random choice (default: picked and printed)")
        public Long seed;

        @Option(names = "--without", paramLabel = "BACKEND", description = "stop the bundle that registers BACKEND for the soak; repeatable")
        public List<String> without = new ArrayList<>();

        @Option(names = "--verbose", description = "the container's log on standard error")
        boolean verbose;
    }

    @Command(name = "merge", header = "join the --json files of a sweep's shards into one result and one table",
            sortOptions = false, usageHelpWidth = 110,
            description = {"Joins the --json files of one sweep's shards (--shard I/N on each) into one result: the records",
                "in the unsharded order, one table, the closing line and exit status of the whole. Refuses files of",
                "different sweeps, a shard given twice and a missing shard. Does not start the container."})
    public static final class Merge {
        @Option(names = {"-h", "--help"}, usageHelp = true, description = "print this help and exit")
        boolean help;

        @Parameters(paramLabel = "FILE", arity = "1..*", description = "the shards' --json files")
        public List<Path> files = new ArrayList<>();

        @Option(names = "--json", paramLabel = "FILE", description = "write the merged JSON here")
        public Path json;

        @Option(names = "--csv", paramLabel = "FILE", description = "write the merged records as CSV here")
        public Path csv;
    }

    /** A whole number, digits grouped with '_' allowed (100_000). */
    static final class WholeNumber implements CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                return Long.parseLong(value.trim().replace("_", ""));
            } catch (NumberFormatException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a whole number");
            }
        }
    }

    /**
     * A parsed command line.
     *
     * @param root the main job's options (always there)
     * @param mode the mode's name ("replay", "tck", "soak", "merge"), or null for the main job
     * @param command the mode's options object ({@link Replay}, ...), or null
     * @param help the help text to print (exit 0), or null
     * @param error what is wrong with the command line (exit 2, with {@link #usage()}), or null
     */
    public record Parsed(Root root, String mode, Object command, String help, String error) {
        public boolean verbose() {
            return root.verbose || command instanceof Replay r && r.verbose || command instanceof Tck t && t.verbose
                    || command instanceof Soak s && s.verbose;
        }

        public Path scenario() {
            return root.scenario;
        }

        public boolean shell() {
            return root.shell;
        }

        public Path json() {
            return root.json;
        }

        public Path csv() {
            return root.csv;
        }

        public String shard() {
            return root.shard;
        }

        public Integer jobs() {
            return root.jobs;
        }

        public boolean cold() {
            return root.cold;
        }

        /** The HTML report to write: the main job's {@code --report}, or the replay's. */
        public Path report() {
            if (root.report != null) {
                return root.report;
            }
            return command instanceof Replay r && r.report != null ? Path.of(r.report) : null;
        }

        /** The console's port ({@code --console [PORT]}), or null without it. */
        public Integer console() {
            return root.console;
        }

        public Path consolePasswordFile() {
            return root.consolePasswordFile;
        }
    }

    /** Parses {@code args}; never throws for what a user can type. */
    public static Parsed parse(String... args) {
        Root root = new Root();
        if (args == null || args.length == 0) {
            // The README's command, the main job with no options: nothing to parse, so picocli's
            // model (a few hundred classes, built twice per start: by Main and in the container)
            // is not built. The result is what picocli gives for no words (CliTest checks it).
            return new Parsed(root, null, null, null, check(root));
        }
        CommandLine cl = new CommandLine(root);
        cl.setUnmatchedOptionsArePositionalParams(false);
        try {
            ParseResult pr = cl.parseArgs(args == null ? new String[0] : args);
            ParseResult sub = pr.subcommand();
            if (pr.isUsageHelpRequested()) {
                return new Parsed(root, null, null, usage(cl), null);
            }
            if (sub != null) {
                CommandLine subLine = sub.commandSpec().commandLine();
                if (sub.isUsageHelpRequested()) {
                    return new Parsed(root, sub.commandSpec().name(), subLine.getCommand(), text(subLine), null);
                }
                if (pr.originalArgs().indexOf(sub.commandSpec().name()) > 0) {
                    return new Parsed(root, null, null, null,
                            "'" + sub.commandSpec().name() + "' takes no main-job options before it; put its own options after it");
                }
                String error = check(sub.commandSpec().name(), subLine.getCommand());
                return new Parsed(root, sub.commandSpec().name(), subLine.getCommand(), null, error);
            }
            return new Parsed(root, null, null, null, check(root));
        } catch (ParameterException e) {
            return new Parsed(root, null, null, null, e.getMessage());
        }
    }

    private static String check(Root r) {
        if (r.console != null && (r.shell || r.scenario != null || r.report != null || r.json != null || r.csv != null
                || r.shard != null || r.jobs != null)) {
            return "--console runs alone: no --shell, --scenario, --report, --json, --csv, --shard or --jobs with it";
        }
        if (r.console != null && (r.console < 1 || r.console > 65535)) {
            return "--console port " + r.console + " is not between 1 and 65535";
        }
        if (r.consolePasswordFile != null && r.console == null) {
            return "--console-password-file is for --console";
        }
        if (r.report != null && r.shell) {
            return "--report is for the main job's run (with or without --scenario) and replay, not for --shell";
        }
        if (r.shell && (r.scenario != null || r.json != null || r.csv != null || r.shard != null || r.jobs != null)) {
            return "--shell takes no --scenario, --json, --csv, --shard or --jobs: it runs no job";
        }
        if (r.jobs != null && r.jobs < 1) {
            return "--jobs needs a whole number of at least 1, got " + r.jobs;
        }
        if (r.jobs != null && r.shard != null) {
            return "--jobs and --shard exclude each other: --jobs N runs the N shards itself";
        }
        if (r.shard != null) {
            String e = shardError(r.shard);
            if (e != null) {
                return e;
            }
        }
        return null;
    }

    private static String check(String mode, Object command) {
        if (command instanceof Soak s && s.swaps < 1) {
            return "soak: --swaps needs a positive whole number, got " + s.swaps;
        }
        if (command instanceof Replay r && r.calls != null && r.traces.size() > 1) {
            return "replay: --calls takes one trace; got " + r.traces.size();
        }
        return null;
    }

    /** What is wrong with an {@code I/N} shard, or null. */
    public static String shardError(String text) {
        int slash = text.indexOf('/');
        try {
            if (slash > 0) {
                int i = Integer.parseInt(text.substring(0, slash).trim());
                int n = Integer.parseInt(text.substring(slash + 1).trim());
                if (n >= 1 && i >= 1 && i <= n) {
                    return null;
                }
            }
        } catch (NumberFormatException e) {
            // below
        }
        return "--shard takes I/N with 1 <= I <= N (e.g. 1/4), got '" + text + "'";
    }

    /** The whole help: the main job's options, then every mode's. */
    public static String usage() {
        return usage(new CommandLine(new Root()));
    }

    /** The whole help from a model already built (--help builds it once). */
    private static String usage(CommandLine cl) {
        StringBuilder b = new StringBuilder(text(cl));
        for (CommandLine sub : cl.getSubcommands().values()) {
            b.append('\n').append(text(sub));
        }
        return b.toString();
    }

    /** The help of one mode ("tck", "soak", ...). */
    public static String modeUsage(String mode) {
        return text(new CommandLine(new Root()).getSubcommands().get(mode));
    }

    private static String text(CommandLine cl) {
        StringWriter w = new StringWriter();
        cl.usage(new PrintWriter(w), CommandLine.Help.Ansi.OFF);
        return w.toString();
    }
}
