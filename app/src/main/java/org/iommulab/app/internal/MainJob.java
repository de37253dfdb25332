package org.iommulab.app.internal;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import org.iommulab.api.admin.PlatformAdmin;
import org.iommulab.api.platform.SimClock;
import org.iommulab.app.internal.scenario.Scenario;
import org.iommulab.app.internal.scenario.ScenarioException;
import org.iommulab.app.internal.scenario.ScenarioParser;
import org.iommulab.replay.TraceReplay;
import org.osgi.framework.BundleContext;
import org.osgi.util.tracker.ServiceTracker;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

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
    /** The drivers are up when the set of workloads has not changed for this long. */
    static final long SETTLE_MILLIS = 300;

    private final BundleContext context;
    private final CommandLine commandLine;
    private final PlatformAdmin admin;
    private final SimClock clock;

    @Activate
    public MainJob(
            BundleContext context,
            @Reference(
                name = "launcher",
                service = Object.class,
                target = "(" + LAUNCHER_ARGUMENTS + "=*)")
            Map<String, Object> launcherProperties,
            @Reference PlatformAdmin admin,
            @Reference SimClock clock) {
        this.context = context;
        this.admin = admin;
        this.clock = clock;
        this.commandLine = CommandLine.parse(launcherProperties.get(LAUNCHER_ARGUMENTS));
    }

    /** Runs on the launcher's main thread; the result is the process exit status. */
    @Override
    public Integer call() throws Exception {
        if (commandLine.error() != null) {
            System.err.println("iommulab: " + commandLine.error());
            System.err.println(CommandLine.USAGE);
            return BatchJob.BAD_INPUT;
        }
        if (commandLine.help()) {
            System.out.println(CommandLine.USAGE);
            return BatchJob.OK;
        }
        if (commandLine.console() != null && !ConsoleMode.present(context)) {
            // iommulab.jar: the console is its own run (console.jar), started once a password is set.
            return ConsoleLauncher.launch(commandLine.console(), commandLine.consolePasswordFile(), System.getenv(), System.err);
        }
        awaitDeployFolder();
        if (commandLine.console() != null) {
            return serveConsole();
        }
        if (commandLine.shell()) {
            return new InteractiveShell(context).run();
        }
        if (commandLine.mode() != null) {
            return runMode();
        }
        Scenario scenario = Scenario.defaults();
        if (commandLine.scenario() != null) {
            try (Reader in = Files.newBufferedReader(Path.of(commandLine.scenario()), StandardCharsets.UTF_8)) {
                scenario = ScenarioParser.parse(commandLine.scenario(), in);
            } catch (ScenarioException e) {
                System.out.println("iommulab: " + e.getMessage());
                return BatchJob.BAD_INPUT;
            } catch (IOException | InvalidPathException e) {
                System.out.println("iommulab: scenario " + commandLine.scenario() + ": cannot be read: " + e);
                return BatchJob.BAD_INPUT;
            }
        }
        awaitBindings();
        ServiceWorkloads workloads = new ServiceWorkloads(context, WAIT_MILLIS);
        workloads.awaitSettled(SETTLE_MILLIS);
        Scenario plan = scenario;
        if (commandLine.report() != null) {
            String subtitle = "The main job's run" + (commandLine.scenario() == null ? "" : " of " + commandLine.scenario())
                    + ": every workload on every backend, drawn from the rows of its table.";
            return ReportRun.run(context, admin, commandLine.report(), subtitle, System.out,
                    sink -> new BatchJob(admin, workloads, clock, System.out).onRows(sink).run(plan));
        }
        return new BatchJob(admin, workloads, clock, System.out).run(scenario);
    }

    /**
     * A mode word on the command line: {@code replay} hands its arguments to the trace replay
     * service, {@code soak} runs the soak ({@link SoakCommand}), {@code tck} the conformance kit.
     */
    private int runMode() throws InterruptedException {
        if ("soak".equals(commandLine.mode())) {
            awaitBindings();
            return SoakCommand.run(context, admin, commandLine.arguments().subList(1, commandLine.arguments().size()),
                    System.out, System.err);
        }
        if ("tck".equals(commandLine.mode())) {
            List<String> args = commandLine.arguments().subList(1, commandLine.arguments().size());
            if (args.contains("--help") || args.contains("-h")) {
                System.out.println(TckOptions.USAGE);
                return BatchJob.OK;
            }
            return new TckCommand(context, admin, System.out).run(args);
        }
        if (!"replay".equals(commandLine.mode())) {
            System.err.println("iommulab: unknown mode '" + commandLine.mode() + "'");
            System.err.println(CommandLine.USAGE);
            return BatchJob.BAD_INPUT;
        }
        awaitBindings();
        ServiceTracker<TraceReplay, TraceReplay> replays = new ServiceTracker<>(context, TraceReplay.class, null);
        replays.open();
        try {
            TraceReplay replay = replays.waitForService(WAIT_MILLIS);
            if (replay == null) {
                System.err.println("iommulab: the trace replay service (bundle org.iommulab.replay) is not running");
                return BatchJob.FAILED;
            }
            List<String> args = commandLine.arguments().subList(1, commandLine.arguments().size());
            if (commandLine.report() != null) {
                return ReportRun.replay(context, admin, commandLine.report(), "A replay of " + String.join(" ", args)
                        + ": trace time is the simulated clock.", System.out, () -> replay.run(args, System.out));
            }
            return replay.run(args, System.out);
        } finally {
            replays.close();
        }
    }

    /** The console's own run: the password checked again here, then the plugin served until the framework stops. */
    private int serveConsole() throws InterruptedException {
        String password;
        try {
            password = org.iommulab.app.internal.console.ConsolePassword.resolve(commandLine.consolePasswordFile(),
                    System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("iommulab: the console does not start: " + e.getMessage());
            return BatchJob.BAD_INPUT;
        }
        awaitBindings();
        return ConsoleMode.serve(context, admin, clock, password, commandLine.console());
    }

    /**
     * FileInstall's first scan of {@code deploy/}: its bundles installed, their backends
     * registered, its configuration files turned into configurations, before anything runs.
     */
    private void awaitDeployFolder() throws InterruptedException {
        for (String late : DeployFolder.awaitFirstScan(context, admin, WAIT_MILLIS)) {
            System.out.println("iommulab: warning: deploy/: " + late);
        }
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
