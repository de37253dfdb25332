package org.iommulab.tck;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import org.iommulab.api.admin.PlatformAdmin;
import org.iommulab.tck.internal.Environment;
import org.iommulab.tck.internal.OsgiEnvironment;
import org.iommulab.tck.internal.StreamIds;
import org.iommulab.tck.internal.checks.Checks;
import org.osgi.framework.BundleContext;
import org.osgi.util.tracker.ServiceTracker;

/**
 * The conformance kit on a running platform: the checks, the backends registered now, and a
 * runner that runs one check against one backend on a thread of its own, bounded in time, and
 * turns whatever happened into a {@link CheckResult}. Results are per (check, backend): a
 * backend that fails one check does not hide how another backend did.
 *
 * <pre>
 * Tck tck = Tck.inFramework(context);
 * List&lt;CheckResult&gt; results = tck.run(Tck.checks(), tck.backends(), r -&gt; System.out.println(r));
 * JUnitXml.write(Path.of("target/tck-reports"), results);
 * </pre>
 *
 * <p>The checks add devices named {@code tck-*} to the platform and remove them; they expect
 * nothing else to change the platform while they run. Not thread-safe: run one check at a time.
 */
public final class Tck {
    /** How long {@link #inFramework(BundleContext)} waits for the platform. */
    public static final long PLATFORM_WAIT_MILLIS = 10_000;

    private final Environment env;
    private final StreamIds streamIds = new StreamIds();

    Tck(Environment env) {
        this.env = env;
    }

    /**
     * The kit on the framework {@code context} belongs to, waiting up to
     * {@value #PLATFORM_WAIT_MILLIS} ms for the platform's {@link PlatformAdmin} service.
     *
     * @throws IllegalStateException when no platform appears
     */
    public static Tck inFramework(BundleContext context) throws InterruptedException {
        ServiceTracker<PlatformAdmin, PlatformAdmin> t = new ServiceTracker<>(context, PlatformAdmin.class, null);
        t.open();
        try {
            PlatformAdmin admin = t.waitForService(PLATFORM_WAIT_MILLIS);
            if (admin == null) {
                throw new IllegalStateException("no PlatformAdmin service within " + PLATFORM_WAIT_MILLIS
                        + " ms: is the bundle org.iommulab.platform active?");
            }
            return new Tck(new OsgiEnvironment(context, admin));
        } finally {
            t.close();
        }
    }

    /** The kit on a platform already at hand, in the framework of {@code context}. */
    public static Tck inFramework(BundleContext context, PlatformAdmin admin) {
        return new Tck(new OsgiEnvironment(context, admin));
    }

    /** Every check, in the order the kit runs them (the bundle lifecycle check last). */
    public static List<Check> checks() {
        return Checks.all();
    }

    /**
     * The check with {@code id}.
     *
     * @throws IllegalArgumentException naming every check when none has that id
     */
    public static Check check(String id) {
        for (Check c : checks()) {
            if (c.id().equals(id)) {
                return c;
            }
        }
        List<String> ids = new ArrayList<>();
        checks().forEach(c -> ids.add(c.id()));
        throw new IllegalArgumentException("no check '" + id + "'; the checks are " + String.join(", ", ids));
    }

    /** The platform the kit runs on. */
    public PlatformAdmin admin() {
        return env.admin();
    }

    /** The backends registered now, best first. */
    public List<String> backends() {
        return env.admin().backends();
    }

    /**
     * The backend named {@code name} as a check sees it.
     *
     * @throws IllegalArgumentException when no such backend is registered now
     */
    public BackendUnderTest backend(String name) {
        Map<String, Object> props = env.backendProperties(name);
        if (props == null) {
            throw new IllegalArgumentException("no backend '" + name + "' is registered; registered: "
                    + String.join(", ", backends()));
        }
        return new BackendUnderTest(env, streamIds, name, props);
    }

    /**
     * Waits until every backend of {@code names} is registered with the platform, at most
     * {@code millis}.
     *
     * @return whether they all are
     */
    public boolean awaitBackends(Collection<String> names, long millis) throws InterruptedException {
        // Host time: a bounded wait for backends to register; not simulated behaviour.
        long deadline = System.nanoTime() + millis * 1_000_000L;
        while (!env.admin().backends().containsAll(names)) {
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }

    /**
     * Runs {@code check} against {@code backend} on a thread of its own and waits at most the
     * check's {@link Check#timeoutMillis()}. Never throws for what the check does: a failure, an
     * unexpected exception, a backend that is not registered or a check that hangs is a FAILED
     * result saying so.
     */
    public CheckResult run(Check check, String backend) {
        long start = System.nanoTime();
        BackendUnderTest b;
        try {
            b = backend(backend);
        } catch (IllegalArgumentException e) {
            return new CheckResult(check.id(), check.rule(), backend, CheckResult.Status.FAILED, e.getMessage(), e,
                    System.nanoTime() - start);
        }
        AtomicReference<String> summary = new AtomicReference<>();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                summary.set(check.run(b));
            } catch (Throwable e) {
                thrown.set(e);
            }
        }, "tck " + check.id() + " on " + backend);
        t.setDaemon(true);
        t.start();
        try {
            t.join(check.timeoutMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            t.interrupt();
            return new CheckResult(check.id(), check.rule(), backend, CheckResult.Status.FAILED, "interrupted", e,
                    System.nanoTime() - start);
        }
        long nanos = System.nanoTime() - start;
        if (t.isAlive()) {
            AssertionError hung = new AssertionError("did not finish within " + check.timeoutMillis()
                    + " ms; its thread is " + t.getState() + (t.getState() == Thread.State.BLOCKED
                            || t.getState() == Thread.State.WAITING ? " (a lock-order or lost-wakeup bug?)" : ""));
            hung.setStackTrace(t.getStackTrace());
            t.interrupt();
            return new CheckResult(check.id(), check.rule(), backend, CheckResult.Status.FAILED, hung.getMessage() + " at "
                    + top(hung.getStackTrace()), hung, nanos);
        }
        Throwable e = thrown.get();
        if (e == null) {
            return new CheckResult(check.id(), check.rule(), backend, CheckResult.Status.PASSED, summary.get(), null,
                    nanos);
        }
        if (e instanceof NotApplicable) {
            return new CheckResult(check.id(), check.rule(), backend, CheckResult.Status.SKIPPED, e.getMessage(), null,
                    nanos);
        }
        return new CheckResult(check.id(), check.rule(), backend, CheckResult.Status.FAILED, describe(e), e, nanos);
    }

    /**
     * Runs every check of {@code checks} against every backend of {@code backends}, check by
     * check, telling {@code each} of every result as it comes.
     */
    public List<CheckResult> run(List<? extends Check> checks, List<String> backends, Consumer<? super CheckResult> each) {
        List<CheckResult> out = new ArrayList<>();
        for (Check c : checks) {
            for (String b : backends) {
                CheckResult r = run(c, b);
                out.add(r);
                if (each != null) {
                    each.accept(r);
                }
            }
        }
        return out;
    }

    /** The message of an assertion; class, message and where for anything else. */
    private static String describe(Throwable e) {
        String msg = e.getMessage() == null ? "" : e.getMessage();
        if (e instanceof AssertionError) {
            return msg;
        }
        return e.getClass().getName() + (msg.isEmpty() ? "" : ": " + msg) + " at " + top(e.getStackTrace());
    }

    private static String top(StackTraceElement[] stack) {
        return stack.length == 0 ? "?" : stack[0].toString();
    }
}
