package org.iommulab.itests.tck;

import java.io.File;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import org.junit.AssumptionViolatedException;
import org.junit.runner.Description;
import org.junit.runner.Runner;
import org.junit.runner.manipulation.Filter;
import org.junit.runner.manipulation.Filterable;
import org.junit.runner.manipulation.NoTestsRemainException;
import org.junit.runner.notification.Failure;
import org.junit.runner.notification.RunNotifier;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

/**
 * A JUnit 4 runner that puts every backend registered in a real Felix under every TCK check,
 * one test per (check, backend), named {@code check[backend]}: it starts the container
 * ({@link FelixContainer}) when it is created, waits until the backends settle, asks the TCK
 * bundle for its checks and the platform for its backends, and runs each pair on the
 * container's TCK, reporting PASSED as a pass, FAILED as a failure with the check's
 * exception, SKIPPED (the rule does not apply) as an assumption failure, which Surefire and
 * Failsafe count as skipped. No backend is named here: the pairs are whatever the container
 * registers, a bundle added with {@code -Ditest.tck.bundles} included.
 */
public final class TckRunner extends Runner implements Filterable {
    /** How long the container's backends may take to settle. */
    static final long SETTLE_MILLIS = 30_000;
    /** The set of backends must hold still this long. */
    static final long QUIET_MILLIS = 1_500;

    private final Class<?> testClass;
    private final Map<Description, String[]> pairs = new LinkedHashMap<>();
    private final Description suite;
    private FelixContainer container;
    private TckBridge tck;
    private Throwable startup;

    public TckRunner(Class<?> testClass) {
        this.testClass = testClass;
        this.suite = Description.createSuiteDescription(testClass);
        try {
            File storage = new File(System.getProperty("itest.workdir", "target/paxexam"), "tck-felix");
            container = new FelixContainer(storage);
            tck = new TckBridge(container.bundle("org.iommulab.tck"));
            List<String> backends = settle(container.framework().getBundleContext());
            for (String check : tck.checks()) {
                for (String backend : backends) {
                    Description d = Description.createTestDescription(testClass.getName(), check + "[" + backend + "]");
                    pairs.put(d, new String[] {check, backend});
                }
            }
        } catch (Throwable e) {
            startup = e;
            pairs.clear();
            pairs.put(Description.createTestDescription(testClass.getName(), "container"), null);
        }
        pairs.keySet().forEach(suite::addChild);
    }

    /**
     * Waits until the backends stop changing and every IOMMU driver has its backend (iommu-dma
     * registers it), then returns them, best first.
     */
    private List<String> settle(BundleContext context) throws Exception {
        long deadline = System.currentTimeMillis() + SETTLE_MILLIS;
        List<String> last = List.of();
        long since = System.currentTimeMillis();
        while (true) {
            List<String> now = tck.backends();
            if (!now.equals(last)) {
                last = now;
                since = System.currentTimeMillis();
            }
            boolean complete = !now.isEmpty() && now.containsAll(names(context, "org.iommulab.api.iommu.IommuDriver",
                    "iommulab.iommu.name"));
            if (complete && System.currentTimeMillis() - since >= QUIET_MILLIS) {
                return now;
            }
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("the container's backends did not settle within " + SETTLE_MILLIS
                        + " ms: registered " + now + ", IOMMU drivers " + names(context,
                                "org.iommulab.api.iommu.IommuDriver", "iommulab.iommu.name"));
            }
            Thread.sleep(50);
        }
    }

    private static Collection<String> names(BundleContext context, String type, String property)
            throws InvalidSyntaxException {
        Collection<String> out = new TreeSet<>();
        ServiceReference<?>[] refs = context.getAllServiceReferences(type, null);
        if (refs != null) {
            for (ServiceReference<?> r : refs) {
                Object n = r.getProperty(property);
                if (n != null) {
                    out.add(n.toString());
                }
            }
        }
        return out;
    }

    @Override
    public Description getDescription() {
        return suite;
    }

    @Override
    public void filter(Filter filter) throws NoTestsRemainException {
        List<Description> drop = new ArrayList<>();
        for (Description d : pairs.keySet()) {
            if (!filter.shouldRun(d)) {
                drop.add(d);
            }
        }
        drop.forEach(pairs::remove);
        suite.getChildren().removeAll(drop);
        if (pairs.isEmpty()) {
            throw new NoTestsRemainException();
        }
    }

    @Override
    public void run(RunNotifier notifier) {
        try {
            for (Map.Entry<Description, String[]> p : pairs.entrySet()) {
                Description d = p.getKey();
                notifier.fireTestStarted(d);
                try {
                    if (startup != null) {
                        notifier.fireTestFailure(new Failure(d, startup));
                        continue;
                    }
                    TckBridge.Result r = tck.run(p.getValue()[0], p.getValue()[1]);
                    System.out.println(r.line);
                    switch (r.status) {
                        case "PASSED":
                            break;
                        case "SKIPPED":
                            notifier.fireTestAssumptionFailed(new Failure(d, new AssumptionViolatedException(r.reason)));
                            break;
                        default:
                            notifier.fireTestFailure(new Failure(d, r.failure != null ? r.failure
                                    : new AssertionError(r.reason)));
                    }
                } catch (Throwable e) {
                    notifier.fireTestFailure(new Failure(d, e));
                } finally {
                    notifier.fireTestFinished(d);
                }
            }
        } finally {
            if (container != null) {
                try {
                    container.close();
                } catch (Exception e) {
                    System.err.println("TCK container did not stop cleanly: " + e);
                }
            }
        }
    }

    @Override
    public String toString() {
        return "TCK runner for " + testClass.getName();
    }
}
