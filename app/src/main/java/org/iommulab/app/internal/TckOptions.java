package org.iommulab.app.internal;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The arguments of {@code tck}: {@code [--bundle FILE.jar]... [--backend NAME]... [--check ID]...
 * [--junit DIR]}, each option also as {@code --option=value}.
 *
 * @param bundles jars to install and start before the run, in order
 * @param backends backends to run the checks on; empty for every backend registered
 * @param checks checks to run; empty for all
 * @param junit where to write JUnit XML, or null
 */
record TckOptions(List<Path> bundles, List<String> backends, List<String> checks, Path junit) {
    static final String USAGE = String.join("\n",
        "usage: java -jar iommulab.jar tck [--bundle FILE.jar]... [--backend NAME]... [--check ID]... [--junit DIR]",
        "  --bundle FILE.jar  install and start this bundle first and wait for the backends it registers",
        "                     (a DmaBackend, or an IommuDriver that iommu-dma turns into one); repeatable",
        "  --backend NAME     run the checks on this backend only; repeatable (default: every backend registered)",
        "  --check ID         run this check only; repeatable (default: all; the list is in the README)",
        "  --junit DIR        also write JUnit XML, one TEST-tck.<backend>.xml per backend, into DIR",
        "prints one line per (check, backend): PASS, FAIL or SKIP (the rule does not apply) with the reason,",
        "then 'N passed, M failed, K skipped'. exit status: 0 every check passed or was skipped, 1 a check",
        "failed, 2 bad arguments, a bundle that does not install or resolve, or a backend that never appears");

    TckOptions {
        bundles = List.copyOf(bundles);
        backends = List.copyOf(backends);
        checks = List.copyOf(checks);
    }

    /**
     * @param args the words after {@code tck}
     * @throws IllegalArgumentException saying what is wrong
     */
    static TckOptions parse(List<String> args) {
        List<Path> bundles = new ArrayList<>();
        List<String> backends = new ArrayList<>();
        List<String> checks = new ArrayList<>();
        Path junit = null;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            String name = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
            String value;
            switch (name) {
                case "--bundle":
                case "--backend":
                case "--check":
                case "--junit":
                    if (a.contains("=")) {
                        value = a.substring(a.indexOf('=') + 1);
                    } else if (i + 1 < args.size() && !args.get(i + 1).startsWith("--")) {
                        value = args.get(++i);
                    } else {
                        value = "";
                    }
                    if (value.isBlank()) {
                        throw new IllegalArgumentException(name + " needs a value");
                    }
                    break;
                default:
                    throw new IllegalArgumentException("unknown argument '" + a + "'");
            }
            switch (name) {
                case "--bundle":
                    bundles.add(path(value, name));
                    break;
                case "--backend":
                    backends.add(value);
                    break;
                case "--check":
                    checks.add(value);
                    break;
                default:
                    if (junit != null) {
                        throw new IllegalArgumentException("--junit given twice");
                    }
                    junit = path(value, name);
            }
        }
        return new TckOptions(bundles, backends, checks, junit);
    }

    private static Path path(String value, String option) {
        try {
            return Path.of(value);
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException(option + ": '" + value + "' is not a path: " + e.getMessage());
        }
    }
}
