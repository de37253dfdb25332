package org.iommulab.app.internal;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import org.iommulab.api.admin.PlatformAdmin;
import org.iommulab.api.platform.SimClock;
import org.iommulab.app.internal.scenario.Scenario;
import org.iommulab.app.internal.scenario.ScenarioException;
import org.iommulab.app.internal.scenario.Sweep;
import org.iommulab.app.cli.Cli;
import org.iommulab.app.cli.Main;
import org.iommulab.app.cli.StartWatchdog;
import org.iommulab.replay.TraceReplay;
import org.osgi.framework.BundleContext;
import org.osgi.util.tracker.ServiceTracker;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.LogReaderService;

/**
 * The application's main job, run by the bnd launcher of {@code iommulab.jar}.
 *
 * <p>How it plugs into the launcher (biz.aQute.launcher 7.1.0):
 * <ul>
 * <li>The launcher registers a service (as {@code java.lang.Object}) whose property
 * {@code launcher.arguments} is the {@code String[]} given to {@code java -jar}; this
 * component is satisfied only once that service exists, and reads the arguments from it.</li>
 * <li>This component is registered as a {@code java.util.concurrent.Callable} with
 * {@code main.thread=true}. The launcher, once every run bundle is started, calls it on
 * the JVM's main thread, then stops the framework and exits the JVM with the returned
 * {@code Integer} as the process status.</li>
 * </ul>
 * Outside that launcher (Pax Exam, a plain Felix) no {@code launcher.arguments} service
 * exists, so this component stays unsatisfied and does nothing.
 */
@Component(
    service = Callable.class,
    immediate = true,
    property = MainJob.MAIN_THREAD + "=true")
public final class MainJob implements Callable<Integer> {

    /** Service property the bnd launcher looks for on a Runnable/Callable. */
    static final String MAIN_THREAD = "main.thread";
    /** Service property carrying the command line on the launcher's own service. */
    static final String LAUNCHER_ARGUMENTS = "launcher.arguments";

    /** How long to wait for devices to be bound at start and for a workload after a swap. */
    static final long WAIT_MILLIS = 10_000;
    /**
     * The drivers are up when SCR reports every component at rest or, failing that, when the set
     * of workloads has not changed for this long.
     */
    static final long SETTLE_MILLIS = 300;

    private final BundleContext context;
    private final String[] arguments;
    private final Cli.Parsed line;
    /** The platform's services, looked up when the job starts (see {@link #awaitPlatform}). */
    private PlatformAdmin admin;
    private SimClock clock;
    private final LogPrinter log;

    @Activate
    public MainJob(
            BundleContext context,
            @Reference(
                name = "launcher",
                service = Object.class,
                target = "(" + LAUNCHER_ARGUMENTS + "=*)")
            Map<String, Object> launcherProperties,
            @Reference LogReaderService logReader) {
        this.context = context;
        Object given = launcherProperties.get(LAUNCHER_ARGUMENTS);
        this.arguments = given instanceof String[] a ? a.clone() : new String[0];
        this.line = Cli.parse(arguments);
        // From here on, and for what was logged while the framework started, the log goes to stderr.
        this.log = new LogPrinter(System.err, line.verbose());
        log.open(logReader);
        Timeline.mark("main job component active");
    }

    @Deactivate
    void deactivate() {
        log.close();
    }

    /** Runs on the launcher's main thread; the result is the process exit status. */
    @Override
    public Integer call() throws Exception {
        StartWatchdog.jobStarted();
        Timeline.mark("every bundle started, the job starts");
        try {
            return job();
        } finally {
            Timeline.mark("job done, the framework stops");
            // The framework stops next: what the bundles say while they go down is not about
            // the run (a backend's users told it is gone), unless asked for.
            if (!line.verbose()) {
                log.close();
            }
        }
    }

    private int job() throws Exception {
        // The jar's own Main answered help, usage errors, merge and --jobs before the container
        // started; answered again here for a launch that bypassed it (the same code, same words).
        Integer early = Main.before(arguments, System.out, System.err);
        if (early != null) {
            log.release(false);
            return early;
        }
        if (line.console() != null && !ConsoleMode.present(context)) {
            // iommulab.jar: the console is its own run (console.jar), started once a password is set.
            log.release(false);
            String passwordFile = line.consolePasswordFile() == null ? null : line.consolePasswordFile().toString();
            return ConsoleLauncher.launch(line.console(), passwordFile, System.getenv(), System.err);
        }
        boolean platform = awaitPlatform();
        Timeline.mark("platform services found");
        if (platform) {
            awaitDeployFolder();
            Timeline.mark("deploy/ scanned");
        }
        List<String> invalid = ConfigCheck.invalidConfigurations(context);
        invalid.forEach(p -> System.err.println("iommulab: " + p));
        ConfigCheck.unknownKeys(context).forEach(w -> System.err.println("iommulab: warning: " + w));
        log.release(!invalid.isEmpty());
        Timeline.mark("configurations checked");
        if (!platform) {
            failedComponents();
            System.err.println("iommulab: the platform (bundle org.iommulab.platform) did not start within "
                    + WAIT_MILLIS + " ms");
            return BatchJob.BAD_INPUT;
        }
        if (line.shell()) {
            // The shell is where a configuration gets looked at (iommu:config) and fixed: it opens anyway.
            return new InteractiveShell(context).run();
        }
        if (!invalid.isEmpty()) {
            return BatchJob.BAD_INPUT;
        }
        awaitBindings();
        Timeline.mark("devices bound");
        if (failedComponents()) {
            return BatchJob.BAD_INPUT;
        }
        if (line.console() != null) {
            return serveConsole(line);
        }
        if (line.mode() != null) {
            return runMode(line);
        }
        Sweep sweep = Sweep.of(Scenario.defaults());
        if (line.scenario() != null) {
            String name = line.scenario().toString();
            try (Reader in = Files.newBufferedReader(line.scenario(), StandardCharsets.UTF_8)) {
                sweep = Sweep.parse(name, in);
            } catch (ScenarioException e) {
                System.err.println("iommulab: " + e.getMessage());
                return BatchJob.BAD_INPUT;
            } catch (IOException | InvalidPathException e) {
                System.err.println("iommulab: scenario " + name + ": cannot be read: " + e);
                return BatchJob.BAD_INPUT;
            }
        }
        RunOptions options = new RunOptions(line.shard() == null ? RunOptions.Shard.ALL : RunOptions.Shard.parse(line.shard()),
                !line.cold(), line.json(), line.csv());
        ServiceWorkloads workloads = new ServiceWorkloads(context, WAIT_MILLIS);
        // Every device is bound (awaitBindings); its driver's workload is registered once SCR has
        // activated the driver's component. SCR's own account says when that is done (usually
        // before the job starts: no wait); the quiet period is the fallback for a component that
        // never comes to rest (a deploy/ bundle missing a service).
        workloads.awaitSettled(SETTLE_MILLIS, () -> ConfigCheck.componentsAtRest(context));
        Timeline.mark("workloads settled, the runs start");
        BackendConfig config = new ConfigAdminBackendConfig(context, admin, WAIT_MILLIS);
        if (line.report() != null) {
            String subtitle = "The main job's run" + (line.scenario() == null ? "" : " of " + line.scenario())
                    + ": every workload on every backend, drawn from the rows of its table.";
            Sweep plan = sweep;
            return ReportRun.run(context, admin, line.report().toString(), subtitle, System.out,
                    (sink, groupEnd) -> new BatchJob(admin, workloads, clock, System.out, System.err, config).onRows(sink)
                            .onGroupEnd(groupEnd).run(plan, options));
        }
        return new BatchJob(admin, workloads, clock, System.out, System.err, config).run(sweep, options);
    }

    /**
     * A mode on the command line: {@code replay} hands its arguments to the trace replay
     * service, {@code soak} runs the soak ({@link SoakCommand}), {@code tck} the conformance kit.
     */
    private int runMode(Cli.Parsed line) throws InterruptedException {
        List<String> words = List.of(arguments);
        List<String> after = words.subList(words.indexOf(line.mode()) + 1, words.size());
        if ("soak".equals(line.mode())) {
            return SoakCommand.run(context, admin, after, System.out, System.err);
        }
        if ("tck".equals(line.mode())) {
            return new TckCommand(context, admin, System.out, System.err).run(after);
        }
        ServiceTracker<TraceReplay, TraceReplay> replays = new ServiceTracker<>(context, TraceReplay.class, null);
        replays.open();
        try {
            TraceReplay replay = replays.waitForService(WAIT_MILLIS);
            if (replay == null) {
                System.err.println("iommulab: the trace replay service (bundle org.iommulab.replay) is not running");
                return BatchJob.FAILED;
            }
            List<String> args = ((Cli.Replay) line.command()).serviceArguments();
            if (line.report() != null) {
                return ReportRun.replay(context, admin, line.report().toString(), "A replay of " + String.join(" ", args)
                        + ": trace time is the simulated clock.", System.out, args, a -> replay.run(a, System.out, System.err));
            }
            return replay.run(args, System.out, System.err);
        } finally {
            replays.close();
        }
    }

    /** The console's own run: the password checked again here, then the plugin served until the framework stops. */
    private int serveConsole(Cli.Parsed line) throws InterruptedException {
        String password;
        try {
            password = org.iommulab.app.internal.console.ConsolePassword.resolve(
                    line.consolePasswordFile() == null ? null : line.consolePasswordFile().toString(),
                    System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("iommulab: the console does not start: " + e.getMessage());
            return BatchJob.BAD_INPUT;
        }
        return ConsoleMode.serve(context, admin, clock, password, line.console());
    }

    /**
     * The platform's services. Not references of this component: a platform that refuses its
     * configuration never registers them, and the job must still run to say so (a component
     * waiting for them would leave the launcher waiting for ever). Host time: a bounded wait.
     *
     * @return whether the platform is there
     */
    private boolean awaitPlatform() throws InterruptedException {
        ServiceTracker<PlatformAdmin, PlatformAdmin> admins = new ServiceTracker<>(context, PlatformAdmin.class, null);
        ServiceTracker<SimClock, SimClock> clocks = new ServiceTracker<>(context, SimClock.class, null);
        admins.open();
        clocks.open();
        try {
            admin = admins.waitForService(WAIT_MILLIS);
            clock = clocks.waitForService(WAIT_MILLIS);
            return admin != null && clock != null;
        } finally {
            // The platform is static for the run: its services stay while its bundle is active.
            admins.close();
            clocks.close();
        }
    }

    /**
     * FileInstall's first scan of {@code deploy/}: its bundles installed, their backends
     * registered, its configuration files turned into configurations, before anything runs.
     */
    private void awaitDeployFolder() throws InterruptedException {
        for (String late : DeployFolder.awaitFirstScan(context, admin, WAIT_MILLIS)) {
            System.err.println("iommulab: warning: deploy/: " + late);
        }
    }

    /**
     * Components whose activation failed (a backend whose configuration only the component
     * itself can refuse), each on stderr with its reason: never a silently missing backend.
     *
     * @return whether there was one
     */
    private boolean failedComponents() {
        List<String> failed = ConfigCheck.failedComponents(context);
        failed.forEach(f -> System.err.println("iommulab: " + f));
        return !failed.isEmpty();
    }

    /**
     * Backends and devices register as their bundles start; give the platform time to bind them.
     * Host time: a bounded wait for the framework's threads, not simulated behaviour.
     */
    private void awaitBindings() throws InterruptedException {
        long deadline = System.currentTimeMillis() + WAIT_MILLIS;
        while (System.currentTimeMillis() < deadline
                && (admin.backends().isEmpty() || admin.devices().stream().anyMatch(d -> d.backend() == null))) {
            Thread.sleep(20);
        }
    }
}
