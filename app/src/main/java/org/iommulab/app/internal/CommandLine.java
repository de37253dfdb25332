package org.iommulab.app.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The command line of {@code java -jar iommulab.jar}, as the main job understands it: the
 * options {@code --shell}, {@code --scenario FILE} (or {@code --scenario=FILE}) and
 * {@code --help}, {@code --verbose} (information and debug messages of the log on stderr too),
 * then optionally a mode word (such as {@code replay}) whose own arguments are
 * kept verbatim in {@link #arguments()} for that mode to read.
 *
 * @param arguments the mode word and everything after it, or empty
 * @param error what is wrong with the command line, or null
 */
record CommandLine(boolean shell, String scenario, boolean help, List<String> arguments, String error, boolean verbose) {

    CommandLine {
        arguments = List.copyOf(arguments);
    }

    static final String SHELL = "--shell";
    static final String SCENARIO = "--scenario";
    static final String HELP = "--help";
    static final String VERBOSE = "--verbose";

    static final String USAGE = String.join("\n",
        "usage: java -jar iommulab.jar [--verbose] [--scenario FILE | --shell | --help]",
        "       java -jar iommulab.jar replay TRACE [replay options]",
        "       java -jar iommulab.jar soak --swaps N [--seed S] [--without BACKEND]...",
        "       java -jar iommulab.jar tck [--bundle FILE.jar]... [--backend NAME]... [--check ID]... [--junit DIR]",
        "  (no option)       run every workload on every backend present and print one table",
        "  --scenario FILE   run the devices, backends, workloads, sizes and rounds FILE names",
        "  --shell           keep the Gogo shell (g!) open instead",
        "  --verbose         print every bundle's information and debug messages (stderr), not only",
        "                    warnings and errors",
        "  tck ...           run the conformance kit on every backend (or those named), after installing the",
        "                    given bundles; 'tck --help' for its options",
        "  soak              run every workload in a loop while devices move between all backends at",
        "                    random and backend bundles stop and start, until N swaps; progress on",
        "                    stderr, a summary on stdout; exit 0 when no deadlock, wrong byte, stale",
        "                    access, leak or exception was seen, 1 otherwise (S: the seed of every",
        "                    random choice, printed when not given; --without stops the bundle of",
        "                    BACKEND for the soak)",
        "",
        "scenario file: one directive per line, '#' starts a comment; numbers decimal or 0x hex,",
        "sizes may end in K, M or G:",
        "  rounds N                     default rounds of every workload (default 16)",
        "  size BYTES                   default size of every workload (default 0: each workload's own)",
        "  seed N                       default seed (default 1)",
        "  backends NAME... | all       backends to run on, in this order (default: all present)",
        "  workload NAME [rounds=N] [size=BYTES] [seed=N]",
        "                               a workload to run, in this order (default: all present)",
        "  device NAME KEY=VALUE...     change a device for the run (restored after): sid, mask (bits),",
        "                               buslimit (bits), coherent, trusted, pci (true/false), maxseg",
        "                               (bytes), boundary, minalign (masks 2^n-1)",
        "exit status: 0 everything as expected, 1 a workload failed, a seeded bug went uncaught or a",
        "soak invariant broke, 2 bad command line, scenario, soak arguments or configuration (a .cfg",
        "value that breaks its key's rule, a component that failed to activate)");

    /**
     * @param launcherArguments the value of the launcher's {@code launcher.arguments}
     *     service property: a {@code String[]}, or null when there were none
     * @throws IllegalArgumentException when it is not a {@code String[]}
     */
    static CommandLine parse(Object launcherArguments) {
        List<String> rest = new ArrayList<>();
        if (launcherArguments instanceof String[] given) {
            Collections.addAll(rest, given);
        } else if (launcherArguments != null) {
            throw new IllegalArgumentException(
                "launcher.arguments is not a String[]: " + launcherArguments.getClass().getName());
        }
        boolean shell = false;
        boolean help = false;
        boolean verbose = false;
        String scenario = null;
        List<String> mode = List.of();
        for (int i = 0; i < rest.size(); i++) {
            String a = rest.get(i);
            if (a.equals(SHELL)) {
                shell = true;
            } else if (a.equals(HELP) || a.equals("-h")) {
                help = true;
            } else if (a.equals(VERBOSE) || a.equals("-v")) {
                verbose = true;
            } else if (a.equals(SCENARIO) || a.startsWith(SCENARIO + "=")) {
                String file = a.equals(SCENARIO) ? (i + 1 < rest.size() ? rest.get(++i) : "") : a.substring(SCENARIO.length() + 1);
                if (file.isEmpty() || file.startsWith("--")) {
                    return failed("--scenario needs a file name");
                }
                if (scenario != null) {
                    return failed("--scenario given twice");
                }
                scenario = file;
            } else if (a.startsWith("-")) {
                return failed("unknown option '" + a + "'");
            } else {
                mode = rest.subList(i, rest.size());
                break;
            }
        }
        if (shell && scenario != null) {
            return failed("--shell and --scenario exclude each other");
        }
        if (!mode.isEmpty() && (shell || scenario != null)) {
            return failed("'" + mode.get(0) + "' takes no --shell or --scenario");
        }
        return new CommandLine(shell, scenario, help, mode, null, verbose);
    }

    /** The mode word, or null for the main job's default batch run. */
    String mode() {
        return arguments.isEmpty() ? null : arguments.get(0);
    }

    private static CommandLine failed(String why) {
        return new CommandLine(false, null, false, List.of(), why, false);
    }
}
