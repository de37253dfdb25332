package org.iommulab.app.internal;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.iommulab.api.admin.PlatformAdmin;
import org.iommulab.tck.BackendUnderTest;
import org.iommulab.tck.Check;
import org.iommulab.tck.CheckResult;
import org.iommulab.tck.JUnitXml;
import org.iommulab.tck.Tck;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;

/**
 * {@code java -jar iommulab.jar tck ...}: installs the given bundles into the running container,
 * waits for their backends, runs the conformance kit's checks on the chosen backends (all by
 * default), prints one line per (check, backend) and a closing count, and writes JUnit XML when
 * asked. See {@link TckOptions#USAGE}.
 */
final class TckCommand {
    /** How long installed bundles and named backends may take to appear. */
    static final long WAIT_MILLIS = 15_000;
    /** The backends must hold still this long before the run. */
    static final long QUIET_MILLIS = 500;
    /** How long a backend named with --backend may take to appear, once the given bundles are in. */
    static final long NAMED_WAIT_MILLIS = 5_000;

    private final BundleContext context;
    private final PlatformAdmin admin;
    private final PrintStream out;
    /** Where errors go (standard error): results and progress stay on {@code out}. */
    private final PrintStream err;

    TckCommand(BundleContext context, PlatformAdmin admin, PrintStream out) {
        this(context, admin, out, out);
    }

    TckCommand(BundleContext context, PlatformAdmin admin, PrintStream out, PrintStream err) {
        this.err = err;
        this.context = context;
        this.admin = admin;
        this.out = out;
    }

    /** @param args the words after {@code tck}; @return the exit status */
    int run(List<String> args) throws InterruptedException {
        TckOptions options;
        List<Check> checks = new ArrayList<>();
        try {
            options = TckOptions.parse(args);
            for (String id : options.checks()) {
                checks.add(Tck.check(id));
            }
            for (Path p : options.bundles()) {
                if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
                    throw new IllegalArgumentException("--bundle " + p + ": no such readable file");
                }
            }
            if (options.junit() != null) {
                createDirectory(options.junit());
            }
        } catch (IllegalArgumentException e) {
            err.println("iommulab: tck: " + e.getMessage());
            err.println(TckOptions.USAGE);
            return BatchJob.BAD_INPUT;
        }
        if (checks.isEmpty()) {
            checks.addAll(Tck.checks());
        }
        BundleBackends.awaitSettled(context, admin, WAIT_MILLIS, QUIET_MILLIS);
        List<Bundle> installed;
        try {
            installed = install(options.bundles());
        } catch (BundleException e) {
            return BatchJob.BAD_INPUT;
        }
        if (!installed.isEmpty()) {
            Set<String> theirs = BundleBackends.await(installed, admin, WAIT_MILLIS, QUIET_MILLIS);
            if (theirs.isEmpty()) {
                err.println("iommulab: tck: the given bundle(s) registered no DmaBackend or IommuDriver service that became"
                        + " a backend within " + WAIT_MILLIS / 1000 + " s (a component that failed to activate? a driver"
                        + " without " + "iommulab.iommu.name?); registered backends: " + admin.backends());
                return BatchJob.BAD_INPUT;
            }
            out.println("tck: installed " + installed.size() + " bundle(s), providing " + theirs);
        }
        Tck tck = Tck.inFramework(context, admin);
        List<String> backends = options.backends().isEmpty() ? tck.backends() : options.backends();
        if (!tck.awaitBackends(backends, NAMED_WAIT_MILLIS)) {
            List<String> missing = new ArrayList<>(backends);
            missing.removeAll(tck.backends());
            err.println("iommulab: tck: no backend " + missing + " is registered (waited " + NAMED_WAIT_MILLIS / 1000
                    + " s); registered: " + tck.backends());
            return BatchJob.BAD_INPUT;
        }
        if (backends.isEmpty()) {
            err.println("iommulab: tck: no backend is registered");
            return BatchJob.FAILED;
        }
        header(tck, checks, backends);
        int bw = width(backends, "backend");
        int cw = width(checks.stream().map(Check::id).toList(), "check");
        List<CheckResult> results = tck.run(checks, backends, r -> {
            out.printf("%-4s  %-" + bw + "s  %-" + cw + "s  %s%n", r.status().label(), r.backend(), r.check(), r.reason());
            out.flush();
        });
        long passed = results.stream().filter(CheckResult::passed).count();
        long failed = results.stream().filter(CheckResult::failed).count();
        long skipped = results.stream().filter(CheckResult::skipped).count();
        if (options.junit() != null) {
            try {
                List<Path> files = JUnitXml.write(options.junit(), results);
                out.println("tck: JUnit XML: " + files.size() + " file(s) in " + options.junit());
            } catch (IOException e) {
                err.println("iommulab: tck: cannot write JUnit XML into " + options.junit() + ": " + e);
                out.println(passed + " passed, " + failed + " failed, " + skipped + " skipped");
                return BatchJob.BAD_INPUT;
            }
        }
        out.println(passed + " passed, " + failed + " failed, " + skipped + " skipped");
        return failed > 0 ? BatchJob.FAILED : BatchJob.OK;
    }

    private void header(Tck tck, List<Check> checks, List<String> backends) {
        List<String> described = new ArrayList<>();
        for (String b : backends) {
            BackendUnderTest u = tck.backend(b);
            described.add(b + " (ranking " + u.ranking() + (u.isolating() ? ", isolating" : "")
                    + (u.iommuDriver() != null ? ", IOMMU driver" : "") + ")");
        }
        out.println("tck: " + checks.size() + " check(s) on " + backends.size() + " backend(s): " + String.join(", ", described));
    }

    /** Installs every jar, then starts every one that is not a fragment; says why when one fails. */
    private List<Bundle> install(List<Path> jars) throws BundleException {
        List<Bundle> bundles = new ArrayList<>();
        for (Path p : jars) {
            try {
                bundles.add(context.installBundle(p.toAbsolutePath().normalize().toUri().toString()));
            } catch (BundleException | SecurityException e) {
                err.println("iommulab: tck: bundle " + p + " cannot be installed: " + e.getMessage());
                throw e instanceof BundleException ? (BundleException) e : new BundleException(e.getMessage(), e);
            }
        }
        for (int i = 0; i < bundles.size(); i++) {
            Bundle b = bundles.get(i);
            if (b.getHeaders().get(Constants.FRAGMENT_HOST) != null) {
                continue;
            }
            try {
                b.start();
            } catch (BundleException e) {
                err.println("iommulab: tck: bundle " + jars.get(i) + " (" + b.getSymbolicName() + " " + b.getVersion()
                        + ") does not resolve: " + e.getMessage());
                throw e;
            }
        }
        return bundles;
    }

    private static void createDirectory(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IllegalArgumentException("--junit " + dir + ": cannot create the directory: " + e);
        }
        if (!Files.isWritable(dir)) {
            throw new IllegalArgumentException("--junit " + dir + ": the directory is not writable");
        }
    }

    private static int width(List<String> names, String header) {
        int w = header.length();
        for (String n : names) {
            w = Math.max(w, n.length());
        }
        return w;
    }
}
