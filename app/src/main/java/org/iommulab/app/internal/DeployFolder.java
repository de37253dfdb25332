package org.iommulab.app.internal;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.iommulab.api.admin.PlatformAdmin;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.util.tracker.ServiceTracker;

/**
 * FileInstall's first scan of {@code deploy/} ({@code felix.fileinstall.dir}), as the main job
 * waits for it: every jar there installed (FileInstall's location is the file's URI) and, if it
 * started, the backends it registers in the platform; every {@code .cfg}/{@code .config} file a
 * configuration (FileInstall records the file in {@code felix.fileinstall.filename}). Bounded:
 * what is not there in time is reported and the job goes on.
 */
final class DeployFolder {
    static final String DIR_PROPERTY = "felix.fileinstall.dir";
    static final String FILENAME_PROPERTY = "felix.fileinstall.filename";
    static final String FILEINSTALL = "org.apache.felix.fileinstall";

    private DeployFolder() {
    }

    /**
     * Waits up to {@code millis} for the first scan's results.
     *
     * @return one line per file not picked up in time (empty when all were, or there is no folder)
     */
    static List<String> awaitFirstScan(BundleContext context, PlatformAdmin admin, long millis) throws InterruptedException {
        String dirName = context.getProperty(DIR_PROPERTY);
        List<String> late = new ArrayList<>();
        if (dirName == null || !fileInstallActive(context)) {
            return late;
        }
        File dir = new File(dirName).getAbsoluteFile();
        File[] files = dir.listFiles();
        if (files == null) {
            return late;
        }
        List<File> jars = new ArrayList<>();
        List<File> configs = new ArrayList<>();
        for (File f : files) {
            String n = f.getName();
            if (n.endsWith(".jar")) {
                jars.add(f);
            } else if (n.endsWith(".cfg") || n.endsWith(".config")) {
                configs.add(f);
            }
        }
        if (jars.isEmpty() && configs.isEmpty()) {
            return late;
        }
        // Host time: a bounded wait for FileInstall's first scan on its own thread; not simulated behaviour.
        long deadline = System.currentTimeMillis() + millis;
        ServiceTracker<ConfigurationAdmin, ConfigurationAdmin> cm = new ServiceTracker<>(context, ConfigurationAdmin.class, null);
        cm.open();
        try {
            List<Bundle> bundles = new ArrayList<>();
            for (File jar : jars) {
                Bundle b = await(deadline, () -> installed(context, jar));
                if (b == null) {
                    late.add(jar + ": not installed by FileInstall within " + millis + " ms");
                } else {
                    bundles.add(b);
                }
            }
            for (File cfg : configs) {
                if (await(deadline, () -> configured(cm.getService(), cfg) ? Boolean.TRUE : null) == null) {
                    late.add(cfg + ": no configuration made of it within " + millis + " ms");
                }
            }
            List<Bundle> active = new ArrayList<>();
            for (Bundle b : bundles) {
                if (b.getState() == Bundle.ACTIVE) {
                    active.add(b);
                }
            }
            if (!active.isEmpty()) {
                long left = Math.max(0, deadline - System.currentTimeMillis());
                Set<String> backends = BundleBackends.await(active, admin, Math.min(left, 3_000), 300);
                if (!backends.isEmpty()) {
                    System.err.println("iommulab: deploy/: backend(s) " + backends + " from " + active.size() + " bundle(s)");
                }
            }
        } finally {
            cm.close();
        }
        return late;
    }

    private static boolean fileInstallActive(BundleContext context) {
        for (Bundle b : context.getBundles()) {
            if (FILEINSTALL.equals(b.getSymbolicName())) {
                return b.getState() == Bundle.ACTIVE || b.getState() == Bundle.STARTING;
            }
        }
        return false;
    }

    /** The bundle FileInstall installed from {@code jar}, once it is past starting, or null. */
    private static Bundle installed(BundleContext context, File jar) {
        URI want = jar.toURI().normalize();
        for (Bundle b : context.getBundles()) {
            try {
                if (URI.create(b.getLocation()).normalize().equals(want)) {
                    return b.getState() == Bundle.STARTING ? null : b;
                }
            } catch (IllegalArgumentException notAUri) {
                // a location of another kind
            }
        }
        return null;
    }

    private static boolean configured(ConfigurationAdmin cm, File file) {
        if (cm == null) {
            return false;
        }
        try {
            Configuration[] c = cm.listConfigurations(null);
            if (c == null) {
                return false;
            }
            String want = file.toURI().normalize().toString();
            String path = file.getAbsolutePath();
            for (Configuration conf : c) {
                Object f = conf.getProperties() == null ? null : conf.getProperties().get(FILENAME_PROPERTY);
                if (f != null && (f.toString().equals(want) || f.toString().equals(path)
                        || f.toString().endsWith("/" + file.getName()))) {
                    return true;
                }
            }
            return false;
        } catch (IOException | InvalidSyntaxException e) {
            return false;
        }
    }

    private interface Probe<T> {
        T get();
    }

    private static <T> T await(long deadline, Probe<T> probe) throws InterruptedException {
        while (true) {
            T t = probe.get();
            if (t != null || System.currentTimeMillis() >= deadline) {
                return t;
            }
            Thread.sleep(20);
        }
    }
}
