package org.iommulab.app.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.iommulab.app.cli.Cli;

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
    /** The help of the {@code tck} mode (the picocli model's, {@link Cli.Tck}). */
    static final String USAGE = Cli.modeUsage("tck");

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
        List<String> words = new ArrayList<>();
        words.add("tck");
        words.addAll(args);
        Cli.Parsed p = Cli.parse(words.toArray(String[]::new));
        if (p.error() != null) {
            throw new IllegalArgumentException(p.error());
        }
        Cli.Tck t = (Cli.Tck) p.command();
        return options(t);
    }

    /** The options of a parsed {@code tck}. */
    static TckOptions options(Cli.Tck t) {
        return new TckOptions(t.bundles, t.backends, t.checks, t.junit);
    }
}
