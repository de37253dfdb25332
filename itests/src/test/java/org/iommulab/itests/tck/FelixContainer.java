package org.iommulab.itests.tck;

import java.io.File;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

import org.iommulab.itests.support.Containers;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;

/**
 * A Felix launched in the test JVM with the runtime and the iommulab bundles (the same files
 * Pax Exam's containers get, from {@code itest.bundles}), the TCK bundle, and any bundles named
 * by {@code -Ditest.tck.bundles=a.jar,b.jar}: so anyone's backend bundle can be put under the
 * TCK without editing a line here.
 *
 * <p>It runs in a Failsafe JVM of its own (the {@code tck} execution in itests/pom.xml): Felix's
 * URL handlers are JVM-wide, and a Felix started before Pax Exam's first container hides Pax
 * Exam's {@code link:} protocol from every container after it.
 */
final class FelixContainer implements AutoCloseable {
    /** Bundles added to the container: comma-separated jar paths. */
    static final String EXTRA_BUNDLES = "itest.tck.bundles";

    /** Maven artifacts of the container's bundles, in install order. */
    static final List<String> ARTIFACTS = List.of("org.osgi.util.function", "org.osgi.util.promise",
            "org.osgi.service.component", "org.apache.felix.log", "org.apache.felix.configadmin",
            "org.apache.felix.metatype", "org.apache.felix.scr", "api", "platform", "swiotlb-bounce", "io-pgtable",
            "model-kit", "iommu-dma", "generic-iommu", "smmu-v2", "smmu-v3", "replay", "xz", "devices", "tck");

    private final Framework framework;

    FelixContainer(File storage) throws BundleException {
        Map<String, String> config = new HashMap<>();
        config.put(Constants.FRAMEWORK_STORAGE, storage.getAbsolutePath());
        config.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        config.put("felix.log.level", "1");
        config.put("ds.loglevel", "warn");
        FrameworkFactory factory = ServiceLoader.load(FrameworkFactory.class).iterator().next();
        framework = factory.newFramework(config);
        framework.init();
        framework.start();
        List<File> files = new ArrayList<>();
        for (String a : ARTIFACTS) {
            files.add(Containers.bundleFile(a));
        }
        String extra = System.getProperty(EXTRA_BUNDLES, "").trim();
        if (!extra.isEmpty()) {
            for (String path : extra.split("\\s*,\\s*")) {
                File f = new File(path);
                if (!f.isFile()) {
                    throw new IllegalArgumentException(EXTRA_BUNDLES + ": no such file " + f.getAbsolutePath());
                }
                files.add(f);
            }
        }
        List<Bundle> installed = new ArrayList<>();
        for (File f : files) {
            installed.add(framework.getBundleContext().installBundle(f.toURI().toString()));
        }
        for (Bundle b : installed) {
            if (b.getHeaders().get(Constants.FRAGMENT_HOST) == null) {
                b.start();
            }
        }
    }

    Framework framework() {
        return framework;
    }

    /** The bundle with symbolic name {@code bsn}. */
    Bundle bundle(String bsn) {
        for (Bundle b : framework.getBundleContext().getBundles()) {
            if (bsn.equals(b.getSymbolicName())) {
                return b;
            }
        }
        throw new IllegalStateException("no bundle " + bsn + " in the container");
    }

    @Override
    public void close() throws Exception {
        framework.stop();
        framework.waitForStop(30_000);
    }
}
