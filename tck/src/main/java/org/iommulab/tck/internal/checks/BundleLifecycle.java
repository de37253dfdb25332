package org.iommulab.tck.internal.checks;

import static org.iommulab.tck.internal.Expect.that;

import java.io.ByteArrayInputStream;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.iommulab.api.platform.Zone;
import org.iommulab.tck.NotApplicable;
import org.iommulab.tck.internal.BundleJar;
import org.iommulab.tck.internal.Expect;
import org.iommulab.tck.internal.LoopDriver;
import org.iommulab.tck.internal.Rig;
import org.iommulab.tck.internal.TestDevice;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.wiring.FrameworkWiring;

/** The backend's bundle stopped, updated and uninstalled while a device works on the backend. */
final class BundleLifecycle extends RigCheck {
    /** Longest a backend may take to go or come back after a bundle operation. */
    static final long STEP_MILLIS = 20_000;
    /** Clean rounds the loop must run on the backend after each return. */
    static final long ROUNDS = 20;

    BundleLifecycle() {
        super("bundle-lifecycle", "A backend's bundle may be stopped, started, updated (and refreshed) and uninstalled"
                + " while its devices work: the platform moves them off with the swap protocol (the driver is released"
                + " first, its DMA cut off), the backend leaves no thread, lock or mapping behind, comes back when the"
                + " bundle does, and a device's data is never lost or corrupted on the way (Linux's unbind and rebind"
                + " of a driver, iommu_device_unregister).");
    }

    @Override
    public long timeoutMillis() {
        return 150_000;
    }

    @Override
    String run(Rig rig) throws Exception {
        BundleContext context = rig.backend.context();
        Bundle provider = rig.backend.provider();
        if (context == null || provider == null) {
            throw new NotApplicable("not running in an OSGi framework: no bundle to stop");
        }
        if (provider.getBundleId() == 0 || provider.equals(context.getBundle())) {
            throw new NotApplicable("provided by " + provider.getSymbolicName() + ", which the TCK cannot stop under itself");
        }
        String name = rig.backend.name();
        String bsn = provider.getSymbolicName();
        byte[] jar = BundleJar.of(provider);
        TestDevice dev = rig.device("life");
        long buf = rig.pages(2, Zone.NORMAL);
        String location = provider.getLocation();
        try (LoopDriver loop = new LoopDriver(context, rig.memory, dev.name, buf, 5000)) {
            loop.start();
            progress(loop, name, "before the bundle operations");

            provider.stop();
            awaitGone(rig, name, "after stopping " + bsn);
            that(!name.equals(rig.admin.device(dev.name).backend()), "the device is still bound to the stopped backend");
            checkErrors(loop, "after stop");
            provider.start();
            back(rig, dev, loop, name, "after starting " + bsn + " again");

            provider.update(new ByteArrayInputStream(jar));
            refresh(context, provider);
            back(rig, dev, loop, name, "after updating and refreshing " + bsn);

            provider.uninstall();
            refresh(context, null);
            awaitGone(rig, name, "after uninstalling " + bsn);
            checkErrors(loop, "after uninstall");
            Bundle again = context.installBundle(location, new ByteArrayInputStream(jar));
            again.start();
            back(rig, dev, loop, name, "after installing " + bsn + " again");
            checkErrors(loop, "at the end");
            return "stopped and started, updated and refreshed, uninstalled and installed again under a device moving"
                    + " data: it moved off and back each time (" + loop.rounds(name) + " clean rounds on " + name + ", "
                    + loop.refused() + " refused while released), no byte lost";
        } finally {
            restore(context, bsn, location, jar);
        }
    }

    /** After a failure part-way, puts the bundle back (installed and active) for whatever runs next. */
    private static void restore(BundleContext context, String bsn, String location, byte[] jar) {
        try {
            Bundle found = null;
            for (Bundle b : context.getBundles()) {
                if (bsn.equals(b.getSymbolicName())) {
                    found = b;
                }
            }
            if (found == null) {
                found = context.installBundle(location, new ByteArrayInputStream(jar));
            }
            if (found.getState() != Bundle.ACTIVE) {
                found.start();
            }
        } catch (Exception e) {
            // The check's own result says what went wrong first.
        }
    }

    private static void back(Rig rig, TestDevice dev, LoopDriver loop, String name, String when) throws Exception {
        // Host time: a bounded wait for the framework to bring the backend back; not simulated behaviour.
        long deadline = System.currentTimeMillis() + STEP_MILLIS;
        while (!rig.admin.backends().contains(name)) {
            that(System.currentTimeMillis() < deadline, () -> "the backend did not come back within " + STEP_MILLIS
                    + " ms " + when + "; registered: " + rig.admin.backends());
            Thread.sleep(10);
        }
        try {
            rig.admin.bind(dev.name, name);
        } catch (IllegalStateException e) {
            throw Expect.fail("binding the device to " + name + " " + when + " failed: " + e.getMessage());
        }
        progress(loop, name, when);
    }

    private static void progress(LoopDriver loop, String name, String when) throws InterruptedException {
        boolean ran = loop.awaitRounds(name, ROUNDS, STEP_MILLIS);
        checkErrors(loop, when);
        that(ran, () -> "the device's driver ran fewer than " + ROUNDS + " rounds on " + name + " within " + STEP_MILLIS
                + " ms " + when + " (its DMA API is on " + loop.backend() + ")");
    }

    private static void checkErrors(LoopDriver loop, String when) {
        List<String> errors = loop.errors();
        that(errors.isEmpty(), () -> errors.size() + " error(s) in the device's driver " + when + ", first: "
                + errors.get(0));
    }

    private static void awaitGone(Rig rig, String name, String when) throws InterruptedException {
        long deadline = System.currentTimeMillis() + STEP_MILLIS;
        while (rig.admin.backends().contains(name)) {
            that(System.currentTimeMillis() < deadline, () -> "the backend is still registered " + STEP_MILLIS + " ms "
                    + when);
            Thread.sleep(10);
        }
    }

    /** Refreshes {@code bundle} (or every bundle pending removal) and what depends on it, and waits. */
    private static void refresh(BundleContext context, Bundle bundle) throws InterruptedException {
        FrameworkWiring fw = context.getBundle(0).adapt(FrameworkWiring.class);
        CountDownLatch done = new CountDownLatch(1);
        AtomicReference<Throwable> error = new AtomicReference<>();
        fw.refreshBundles(bundle == null ? null : List.of(bundle), event -> {
            if (event.getType() == FrameworkEvent.ERROR) {
                error.compareAndSet(null, event.getThrowable());
            }
            done.countDown();
        });
        that(done.await(STEP_MILLIS, TimeUnit.MILLISECONDS), "the framework did not finish refreshing within "
                + STEP_MILLIS + " ms");
        that(error.get() == null, () -> "refresh failed: " + error.get());
    }
}
