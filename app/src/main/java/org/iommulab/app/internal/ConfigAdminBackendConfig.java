package org.iommulab.app.internal;

import java.io.IOException;
import java.util.Collections;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;

import org.iommulab.api.admin.PlatformAdmin;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.util.tracker.ServiceTracker;

/**
 * A scenario's {@code config PID KEY=VALUE...} through ConfigAdmin: the properties are set in
 * the configuration (the others kept), each value typed as the property it replaces is (a
 * string otherwise; Declarative Services converts it for the component), and the previous
 * properties are put back afterwards (the configuration deleted when there was none). After each
 * change the job waits (at most its bound) until every backend registered before the change is
 * back, every device is bound and the drivers' workloads have settled.
 */
final class ConfigAdminBackendConfig implements BackendConfig {
    private final BundleContext context;
    private final PlatformAdmin admin;
    private final long waitMillis;

    ConfigAdminBackendConfig(BundleContext context, PlatformAdmin admin, long waitMillis) {
        this.context = context;
        this.admin = admin;
        this.waitMillis = waitMillis;
    }

    @Override
    public Restore apply(String pid, Map<String, String> settings) {
        ServiceTracker<ConfigurationAdmin, ConfigurationAdmin> t = new ServiceTracker<>(context, ConfigurationAdmin.class, null);
        t.open();
        try {
            ConfigurationAdmin cm = t.waitForService(waitMillis);
            if (cm == null) {
                throw new IllegalStateException("ConfigurationAdmin is not running");
            }
            Configuration c = cm.getConfiguration(pid, "?");
            Dictionary<String, Object> old = c.getProperties();
            Dictionary<String, Object> next = new Hashtable<>();
            if (old != null) {
                for (String k : Collections.list(old.keys())) {
                    next.put(k, old.get(k));
                }
            }
            for (Map.Entry<String, String> e : settings.entrySet()) {
                next.put(e.getKey(), typed(e.getKey(), e.getValue(), old == null ? null : old.get(e.getKey())));
            }
            List<String> backends = admin.backends();
            c.update(next);
            settle(backends);
            return () -> {
                try {
                    if (old == null) {
                        c.delete();
                    } else {
                        c.update(old);
                    }
                    settle(backends);
                } catch (IOException e) {
                    throw new IllegalStateException("cannot restore " + pid + ": " + e.getMessage(), e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while restoring " + pid, e);
                }
            };
        } catch (IOException e) {
            throw new IllegalStateException(e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while setting " + pid, e);
        } finally {
            t.close();
        }
    }

    /** {@code value} as the type the property had (Integer, Long, Boolean, ...), else as written. */
    static Object typed(String key, String value, Object previous) {
        try {
            if (previous instanceof Integer) {
                return Integer.valueOf(value);
            }
            if (previous instanceof Long) {
                return Long.valueOf(value);
            }
            if (previous instanceof Boolean) {
                if (!value.equals("true") && !value.equals("false")) {
                    throw new IllegalArgumentException(key + " is true or false, got '" + value + "'");
                }
                return Boolean.valueOf(value);
            }
            if (previous instanceof Double) {
                return Double.valueOf(value);
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " is a number here, got '" + value + "'");
        }
        if (previous instanceof String[]) {
            return value.split(",");
        }
        return value;
    }

    /**
     * Host time: a bounded wait for the framework's threads to re-create what the change
     * touched, not simulated behaviour.
     */
    private void settle(List<String> backends) throws InterruptedException {
        Thread.sleep(MainJob.SETTLE_MILLIS); // ConfigAdmin delivers the change on its own thread
        long deadline = System.currentTimeMillis() + waitMillis;
        // Every backend there before the change back (a component re-created by it withdraws and
        // re-offers its backends one by one), and every device bound.
        while (System.currentTimeMillis() < deadline && (!admin.backends().containsAll(backends)
                || admin.devices().stream().anyMatch(d -> d.backend() == null))) {
            Thread.sleep(20);
        }
        new ServiceWorkloads(context, waitMillis).awaitSettled(MainJob.SETTLE_MILLIS);
    }

}
