package org.iommulab.app.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The command line of {@code java -jar iommulab.jar}, as the main job understands it: the
 * options {@code --shell}, {@code --scenario FILE} (or {@code --scenario=FILE}) and
 * {@code --help}, then optionally a mode word (such as {@code replay}) whose own arguments are
 * kept verbatim in {@link #arguments()} for that mode to read.
 *
 * @param arguments the mode word and everything after it, or empty
 * @param error what is wrong with the command line, or null
 * @param report the HTML report file to write after the main job's run, or null
 * @param console the port of {@code --console [PORT]}, or null without it
 * @param consolePasswordFile the file of {@code --console-password-file FILE}, or null
 */
record CommandLine(boolean shell, String scenario, boolean help, List<String> arguments, String error, String report,
        Integer console, String consolePasswordFile) {

    CommandLine {
        arguments = List.copyOf(arguments);
    }

    static final String SHELL = "--shell";
    static final String SCENARIO = "--scenario";
    static final String HELP = "--help";
    static final String REPORT = "--report";
    static final String CONSOLE = "--console";
    static final String CONSOLE_PASSWORD_FILE = "--console-password-file";

    static final String USAGE = String.join("\n",
        "usage: java -jar iommulab.jar [--scenario FILE] [--report FILE.html] | --shell | --help",
        "       java -jar iommulab.jar [--report FILE.html] replay TRACE [replay options]",
        "       java -jar iommulab.jar --console [PORT] [--console-password-file FILE]",
        "       java -jar iommulab.jar soak --swaps N [--seed S] [--without BACKEND]...",
        "       java -jar iommulab.jar tck [--bundle FILE.jar]... [--backend NAME]... [--check ID]... [--junit DIR]",
        "  (no option)       run every workload on every backend present and print one table",
        "  --scenario FILE   run the devices, backends, workloads, sizes and rounds FILE names",
        "  --report FILE.html  after the run, write its pictures to FILE.html (one self-contained page: the",
        "                    seed case's pairing per backend, bars per workload, each device's DMA address",
        "                    space and the swiotlb pool over simulated time)",
        "  --console [PORT]  serve the Felix Web Console with the IOMMU page on http://127.0.0.1:PORT (default",
        "                    8080)/system/console/iommu, user iommulab, password from IOMMULAB_CONSOLE_PASSWORD or",
        "                    --console-password-file (first line; at least 8 characters); no password, no console",
        "  --shell           keep the Gogo shell (g!) open instead",
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
        "soak invariant broke, 2 bad command line, scenario or soak arguments");

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
        String scenario = null;
        String report = null;
        Integer console = null;
        String passwordFile = null;
        List<String> mode = List.of();
        for (int i = 0; i < rest.size(); i++) {
            String a = rest.get(i);
            if (a.equals(SHELL)) {
                shell = true;
            } else if (a.equals(HELP) || a.equals("-h")) {
                help = true;
            } else if (a.equals(SCENARIO) || a.startsWith(SCENARIO + "=")) {
                String file = a.equals(SCENARIO) ? (i + 1 < rest.size() ? rest.get(++i) : "") : a.substring(SCENARIO.length() + 1);
                if (file.isEmpty() || file.startsWith("--")) {
                    return failed("--scenario needs a file name");
                }
                if (scenario != null) {
                    return failed("--scenario given twice");
                }
                scenario = file;
            } else if (a.equals(REPORT) || a.startsWith(REPORT + "=")) {
                String file = a.equals(REPORT) ? (i + 1 < rest.size() ? rest.get(++i) : "") : a.substring(REPORT.length() + 1);
                if (file.isEmpty() || file.startsWith("--")) {
                    return failed("--report needs a file name");
                }
                if (report != null) {
                    return failed("--report given twice");
                }
                report = file;
            } else if (a.equals(CONSOLE)) {
                if (console != null) {
                    return failed("--console given twice");
                }
                console = ConsoleLauncher.DEFAULT_PORT;
                if (i + 1 < rest.size() && rest.get(i + 1).matches("[0-9]{1,5}")) {
                    console = Integer.parseInt(rest.get(++i));
                    if (console < 1 || console > 65535) {
                        return failed("--console port " + console + " is not between 1 and 65535");
                    }
                }
            } else if (a.equals(CONSOLE_PASSWORD_FILE)) {
                if (i + 1 >= rest.size() || rest.get(i + 1).startsWith("--")) {
                    return failed("--console-password-file needs a file name");
                }
                passwordFile = rest.get(++i);
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
        if (report != null && (shell || !(mode.isEmpty() || mode.get(0).equals("replay")))) {
            return failed("--report is for the main job's run (with or without --scenario) and replay, not for "
                    + (shell ? "--shell" : "'" + mode.get(0) + "'"));
        }
        if (console != null && (shell || scenario != null || report != null || !mode.isEmpty())) {
            return failed("--console runs alone: no --shell, --scenario, --report or mode with it");
        }
        if (passwordFile != null && console == null) {
            return failed("--console-password-file is for --console");
        }
        return new CommandLine(shell, scenario, help, mode, null, report, console, passwordFile);
    }

    /** The mode word, or null for the main job's default batch run. */
    String mode() {
        return arguments.isEmpty() ? null : arguments.get(0);
    }

    private static CommandLine failed(String why) {
        return new CommandLine(false, null, false, List.of(), why, null, null, null);
    }
}
