package org.iommulab.itests.lifecycle;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.wiring.BundleWire;
import org.osgi.framework.wiring.BundleWiring;
import org.osgi.framework.wiring.FrameworkWiring;

/**
 * The bundle operations of the lifecycle suite, each bounded in time: find a bundle by the
 * artifact it was installed from, the bundles that depend on it (who a refresh restarts),
 * refresh, and reinstall from the same location.
 */
final class BundleOps {
    /** The longest any one lifecycle step may take before the test fails instead of hanging. */
    static final long WAIT_MILLIS = 20_000;

    private final BundleContext context;

    BundleOps(BundleContext context) {
        this.context = context;
    }

    /** The bundle installed from {@code <artifactId>.jar} (the itests install every bundle from such a file). */
    Bundle byArtifact(String artifactId) {
        for (Bundle b : context.getBundles()) {
            if (b.getLocation().endsWith("/" + artifactId + ".jar")) {
                return b;
            }
        }
        throw new AssertionError("no bundle was installed from " + artifactId + ".jar");
    }

    /**
     * {@code b} and every bundle wired to it, directly or through others: what a refresh of
     * {@code b} stops and starts again (OSGi Core 10.4.6.2, the dependency closure).
     */
    Set<Bundle> dependencyClosure(Bundle b) {
        Set<Bundle> out = new LinkedHashSet<>();
        Deque<Bundle> todo = new ArrayDeque<>(List.of(b));
        while (!todo.isEmpty()) {
            Bundle next = todo.pop();
            if (!out.add(next)) {
                continue;
            }
            BundleWiring wiring = next.adapt(BundleWiring.class);
            if (wiring == null) {
                continue;
            }
            for (BundleWire w : wiring.getProvidedWires(null)) {
                Bundle requirer = w.getRequirerWiring().getBundle();
                if (requirer.getBundleId() != 0 && requirer != next) {
                    todo.add(requirer);
                }
            }
        }
        return out;
    }

    /**
     * Refreshes every bundle with a revision pending removal (updated or uninstalled) and what
     * depends on it, and waits for the framework to say it is done.
     */
    void refresh() throws InterruptedException {
        FrameworkWiring fw = context.getBundle(0).adapt(FrameworkWiring.class);
        CountDownLatch done = new CountDownLatch(1);
        AtomicReference<Throwable> error = new AtomicReference<>();
        fw.refreshBundles(null, event -> {
            if (event.getType() == FrameworkEvent.ERROR) {
                error.compareAndSet(null, event.getThrowable());
            }
            done.countDown();
        });
        if (!done.await(WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
            throw new AssertionError("the framework did not finish refreshing within " + WAIT_MILLIS + " ms");
        }
        if (error.get() != null) {
            throw new AssertionError("refresh failed", error.get());
        }
    }

    /** Starts every bundle of {@code bundles} that is not active (a refresh may have left it unresolved). */
    static void startAll(List<Bundle> bundles) throws BundleException {
        List<String> failed = new ArrayList<>();
        for (Bundle b : bundles) {
            if (b.getState() != Bundle.UNINSTALLED && b.getState() != Bundle.ACTIVE) {
                try {
                    b.start();
                } catch (BundleException e) {
                    failed.add(b.getSymbolicName() + ": " + e.getMessage());
                }
            }
        }
        if (!failed.isEmpty()) {
            throw new AssertionError("bundles did not start again: " + failed);
        }
    }

    static String names(Set<Bundle> bundles) {
        List<String> n = new ArrayList<>();
        bundles.forEach(b -> n.add(b.getSymbolicName()));
        return n.toString();
    }
}
