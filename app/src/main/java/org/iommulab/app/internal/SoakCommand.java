package org.iommulab.app.internal;

import java.io.PrintStream;
import java.util.List;

import org.iommulab.api.admin.PlatformAdmin;
import org.iommulab.app.cli.Cli;
import org.iommulab.app.internal.soak.SoakEngine;
import org.iommulab.app.internal.soak.SoakResult;
import org.iommulab.app.internal.soak.SoakSettings;
import org.osgi.framework.BundleContext;

/**
 * {@code java -jar iommulab.jar soak --swaps N [--seed S] [--without BACKEND]...}: the soak of
 * {@link SoakEngine} for long runs ({@code --without} leaves a backend out: see
 * {@link SoakSettings#without()}). Progress lines go to standard error every few seconds, the summary to standard
 * output. Exit status 0 when every invariant held, 1 when one did not, 2 for bad arguments.
 */
final class SoakCommand {
    static final String USAGE = "soak --swaps N [--seed S] [--without BACKEND]...";


    /** The command's arguments (after the word {@code soak}), or what is wrong with them. */
    record Arguments(long swaps, long seed, boolean seedGiven, List<String> without, String error) {
        Arguments {
            without = List.copyOf(without);
        }

        static Arguments failed(String why) {
            return new Arguments(0, 0, false, List.of(), why);
        }
    }

    private SoakCommand() {
    }

    /**
     * @param args the words after {@code soak}
     * @param defaultSeed the seed when none is given (the caller picks one and the summary prints it)
     */
    static Arguments parse(List<String> args, long defaultSeed) {
        List<String> words = new java.util.ArrayList<>();
        words.add("soak");
        words.addAll(args);
        Cli.Parsed p = Cli.parse(words.toArray(String[]::new));
        if (p.error() != null) {
            return Arguments.failed(p.error());
        }
        return arguments((Cli.Soak) p.command(), defaultSeed);
    }

    /** The arguments of a parsed {@code soak}. */
    static Arguments arguments(Cli.Soak s, long defaultSeed) {
        for (String w : s.without) {
            if (w.isBlank()) {
                return Arguments.failed("--without needs a backend name");
            }
        }
        return new Arguments(s.swaps, s.seed == null ? defaultSeed : s.seed, s.seed != null, s.without, null);
    }

    /** Runs the soak; the exit status. */
    static int run(BundleContext context, PlatformAdmin admin, List<String> args, PrintStream out, PrintStream err)
            throws InterruptedException {
        // Only when no --seed is given: any seed will do, and the summary prints the one used.
        // Host time only picks a seed when none is given; the seed is printed, so a run can be repeated.
        Arguments a = parse(args, System.nanoTime());
        if (a.error() != null) {
            err.println("iommulab: " + a.error());
            err.println(Cli.modeUsage("soak"));
            return BatchJob.BAD_INPUT;
        }
        for (String b : a.without()) {
            if (!admin.backends().contains(b)) {
                err.println("iommulab: soak --without " + b + ": no such backend; registered: " + String.join(", ", admin.backends()));
                return BatchJob.BAD_INPUT;
            }
        }
        err.println("soak: " + a.swaps() + " swaps, seed " + a.seed() + (a.seedGiven() ? "" : " (rerun with --seed " + a.seed() + ")")
                + (a.without().isEmpty() ? "" : ", without " + String.join(", ", a.without())) + "; progress every "
                + SoakSettings.DEFAULT_PROGRESS_MILLIS / 1000 + " s of host wall time");
        SoakResult r = new SoakEngine(context, admin, SoakSettings.of(a.swaps(), a.seed()).without(a.without()), err).run();
        r.print(out);
        if (r.deadlocked()) {
            // The platform is stuck: stopping the framework after this returns would wait on it
            // for ever. The summary (with every thread's stack) is out; end the process here.
            out.flush();
            err.flush();
            Runtime.getRuntime().halt(BatchJob.FAILED);
        }
        return r.passed() ? BatchJob.OK : BatchJob.FAILED;
    }
}
