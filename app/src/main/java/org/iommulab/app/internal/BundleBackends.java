package org.iommulab.app.internal;

import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;

import org.iommulab.api.admin.PlatformAdmin;
import org.iommulab.api.backend.DmaBackend;
import org.iommulab.api.iommu.IommuDriver;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

/**
 * The backends bundles provide: the {@link DmaBackend} services they register, and for each
 * {@link IommuDriver} service they register the backend iommu-dma makes of it (same name), and
 * waiting until the platform has them all.
 */
final class BundleBackends {
    private BundleBackends() {
    }

    /** Names of the backends {@code bundles} register now, directly or through an IOMMU driver. */
    static Set<String> of(Collection<Bundle> bundles) {
        Set<String> out = new TreeSet<>();
        for (Bundle b : bundles) {
            ServiceReference<?>[] refs;
            try {
                refs = b.getRegisteredServices();
            } catch (IllegalStateException uninstalled) {
                continue;
            }
            if (refs == null) {
                continue;
            }
            for (ServiceReference<?> r : refs) {
                Object name = null;
                for (String type : (String[]) r.getProperty(Constants.OBJECTCLASS)) {
                    if (type.equals(DmaBackend.class.getName())) {
                        name = r.getProperty(DmaBackend.NAME_PROPERTY);
                    } else if (type.equals(IommuDriver.class.getName())) {
                        name = r.getProperty(IommuDriver.NAME_PROPERTY);
                    }
                }
                if (name != null) {
                    out.add(name.toString());
                }
            }
        }
        return out;
    }

    /**
     * Waits until {@code bundles} have registered their backends and the platform has them all,
     * unchanged for {@code quietMillis}; at most {@code millis}.
     *
     * @return the backends, possibly empty when none came in time
     */
    static Set<String> await(Collection<Bundle> bundles, PlatformAdmin admin, long millis, long quietMillis)
            throws InterruptedException {
        // Host time: a bounded wait for the framework's threads to register services; not simulated behaviour.
        long deadline = System.currentTimeMillis() + millis;
        Set<String> last = Set.of();
        long since = System.currentTimeMillis();
        while (true) {
            Set<String> now = of(bundles);
            if (!now.equals(last)) {
                last = now;
                since = System.currentTimeMillis();
            }
            boolean there = !now.isEmpty() && admin.backends().containsAll(now);
            if (there && System.currentTimeMillis() - since >= quietMillis || System.currentTimeMillis() > deadline) {
                Set<String> registered = new TreeSet<>(now);
                registered.retainAll(admin.backends());
                return registered;
            }
            Thread.sleep(20);
        }
    }

    /**
     * Waits until every IOMMU driver registered in the framework has its backend and the set of
     * backends has held still for {@code quietMillis}; at most {@code millis}.
     */
    static void awaitSettled(BundleContext context, PlatformAdmin admin, long millis, long quietMillis)
            throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        Object last = null;
        long since = System.currentTimeMillis();
        while (System.currentTimeMillis() < deadline) {
            var now = admin.backends();
            if (!now.equals(last)) {
                last = now;
                since = System.currentTimeMillis();
            }
            if (!now.isEmpty() && now.containsAll(drivers(context)) && System.currentTimeMillis() - since >= quietMillis) {
                return;
            }
            Thread.sleep(20);
        }
    }

    private static Set<String> drivers(BundleContext context) {
        Set<String> out = new TreeSet<>();
        try {
            for (ServiceReference<IommuDriver> r : context.getServiceReferences(IommuDriver.class, null)) {
                Object n = r.getProperty(IommuDriver.NAME_PROPERTY);
                if (n != null) {
                    out.add(n.toString());
                }
            }
        } catch (InvalidSyntaxException e) {
            throw new AssertionError(e);
        }
        return out;
    }
}
