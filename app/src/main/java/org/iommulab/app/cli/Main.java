package org.iommulab.app.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.iommulab.app.internal.results.ResultsFile;
import org.iommulab.app.internal.results.Summary;

/**
 * The Main-Class of {@code iommulab.jar}: answers what needs no container itself, so that
 * {@code --help}, a bad command line, {@code merge} and the parent of {@code --jobs N} do not
 * start Felix and its bundles; the main job goes to a second JVM with start-up options
 * ({@link Relaunch}) where that applies; everything else goes to bnd's launcher
 * ({@code aQute.launcher.pre.EmbeddedLauncher}, which the exported jar carries and whose
 * {@code Embedded-Runpath} manifest header it keeps), unchanged.
 */
public final class Main {
    /**
     * Built at run time: bnd reads a constant class name given to Class.forName as a package
     * import, and the bundle must not import the launcher's package (only the jar's root has it).
     */
    static final String BND_LAUNCHER = String.join(".", "aQute", "launcher", "pre", "EmbeddedLauncher");

    private Main() {
    }

    public static void main(String[] args) throws Throwable {
        Integer status = before(args, System.out, System.err);
        if (status == null) {
            status = Relaunch.run(args); // null: the job runs in this JVM
        }
        if (status != null) {
            System.out.flush();
            System.exit(status);
        }
        launch(args);
    }

    /**
     * What this class does itself; null when the container must run.
     *
     * @return the exit status, or null to launch the container with the same arguments
     */
    public static Integer before(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
            String help = HelpText.cached(); // rendered at build time: picocli's classes stay unloaded
            if (help != null) {
                out.print(help);
                return Cli.OK;
            }
        }
        Cli.Parsed p = Cli.parse(args);
        if (p.help() != null) {
            out.print(p.help());
            return Cli.OK;
        }
        if (p.error() != null) {
            err.println("iommulab: " + p.error());
            err.println("iommulab: see 'java -jar iommulab.jar --help'");
            return Cli.BAD_INPUT;
        }
        if ("merge".equals(p.mode())) {
            return merge((Cli.Merge) p.command(), out, err);
        }
        if (p.mode() == null && p.jobs() != null) {
            return new Jobs(p, args, out, err).run();
        }
        return null;
    }

    static int merge(Cli.Merge m, PrintStream out, PrintStream err) {
        List<Map<String, Object>> docs = new ArrayList<>();
        List<String> names = new ArrayList<>();
        Map<String, Object> merged;
        try {
            for (java.nio.file.Path f : m.files) {
                docs.add(org.iommulab.app.internal.results.Merge.read(f));
                names.add(f.toString());
            }
            merged = org.iommulab.app.internal.results.Merge.merge(docs, names);
        } catch (IOException e) {
            err.println("iommulab: merge: cannot read " + e.getMessage());
            return Cli.BAD_INPUT;
        } catch (IllegalArgumentException e) {
            err.println("iommulab: merge: " + e.getMessage());
            return Cli.BAD_INPUT;
        }
        List<Map<String, Object>> records = org.iommulab.app.internal.results.Merge.records(merged);
        out.println("iommulab: merged " + docs.size() + " file(s): " + records.size() + " runs of " + merged.get("source")
                + ", " + merged.get("points") + " point(s)");
        org.iommulab.app.internal.results.Merge.printTable(merged, out);
        try {
            if (m.json != null) {
                ResultsFile.writeJson(merged, m.json);
            }
            if (m.csv != null) {
                ResultsFile.writeCsv(records, m.csv);
            }
        } catch (IOException e) {
            err.println("iommulab: merge: cannot write the results: " + e);
            return Cli.FAILED;
        }
        return Summary.print(records, out);
    }

    /**
     * bnd's launcher proper, which the build unpacks at the jar's root beside Felix (built at run
     * time for the same reason as {@link #BND_LAUNCHER}).
     */
    static final String LAUNCHER = String.join(".", "aQute", "launcher", "Launcher");

    /**
     * Hands over to bnd's launcher, which starts the container and exits with the job's status.
     * Felix and the launcher are on this JVM's class path (the jar's root): the launcher runs
     * straight from here, as bnd's EmbeddedLauncher would run it after copying the two jars of
     * its Embedded-Runpath to temporary files and loading them through a class loader of its own,
     * which costs every start time for nothing. A jar without them at its root (a launch of
     * bnd's own export) goes through EmbeddedLauncher as before.
     */
    private static void launch(String[] args) throws Throwable {
        Class<?> launcher;
        try {
            launcher = Class.forName(LAUNCHER);
        } catch (ClassNotFoundException notAtTheRoot) {
            launcher = Class.forName(BND_LAUNCHER);
        }
        Method main = launcher.getMethod("main", String[].class);
        StartWatchdog.guard();
        try {
            main.invoke(null, (Object) args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
