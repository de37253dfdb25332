package org.iommulab.itests.support;

import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.cleanCaches;
import static org.ops4j.pax.exam.CoreOptions.composite;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.CoreOptions.workingDirectory;

import java.io.File;
import java.util.List;

import org.ops4j.pax.exam.Option;

/**
 * The one Pax Exam option set every integration test starts from: a Felix 7 (native
 * container) with SCR, ConfigAdmin, Metatype (+ Log) and the iommulab bundles.
 *
 * <pre>
 * &#64;Configuration
 * public Option[] config() {            // static with PaxExamParameterized
 *     return Containers.options();      // or options(extra...) to add bundles/properties
 * }
 * </pre>
 *
 * Bundles come as {@code file:} URLs from {@code itest.bundles} (target/itest-bundles,
 * filled by maven-dependency-plugin:copy, version-less names): see itests/pom.xml.
 */
public final class Containers {

    /** Bundle-SymbolicNames of the reactor bundles under test. */
    public static final String API = "org.iommulab.api";
    public static final String PLATFORM = "org.iommulab.platform";
    public static final String SWIOTLB = "org.iommulab.swiotlb";
    public static final String GENERIC_IOMMU = "org.iommulab.iommu.generic";
    public static final String DEVICES = "org.iommulab.devices";
    public static final List<String> IOMMULAB_BUNDLES = List.of(API, PLATFORM, SWIOTLB, GENERIC_IOMMU, DEVICES);

    private static final String BUNDLES_PROPERTY = "itest.bundles";
    private static final String WORKDIR_PROPERTY = "itest.workdir";

    private Containers() {
    }

    /** The standard container. */
    public static Option[] options() {
        return new Option[] {
            workingDirectory(System.getProperty(WORKDIR_PROPERTY, "target/paxexam")),
            cleanCaches(true),
            frameworkProperty("felix.log.level").value("1"),
            systemProperty("ds.loglevel").value("warn"),
            systemProperty("org.ops4j.pax.logging.DefaultServiceLog.level").value("WARN"),
            junitBundles(),
            runtimeBundles(),
            iommulabBundles(),
        };
    }

    /** The standard container plus {@code extra} options (bundles, properties...). */
    public static Option[] options(Option... extra) {
        Option[] base = options();
        Option[] all = new Option[base.length + extra.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return all;
    }

    /** OSGi services the iommulab bundles rely on: DS, ConfigAdmin, Metatype, Log. */
    public static Option runtimeBundles() {
        return composite(
            file("org.osgi.util.function"),
            file("org.osgi.util.promise"),
            file("org.osgi.service.component"),
            file("org.apache.felix.log"),
            file("org.apache.felix.configadmin"),
            file("org.apache.felix.metatype"),
            file("org.apache.felix.scr"));
    }

    /** The reactor's bundles (Maven artifactIds). */
    public static Option iommulabBundles() {
        return composite(file("api"), file("platform"), file("swiotlb-bounce"), file("io-pgtable"), file("model-kit"), file("iommu-dma"), file("generic-iommu"), file("smmu-v2"), file("smmu-v3"), file("replay"), file("xz"), file("devices"), file("tck"));
    }

    /** A bundle copied into {@code itest.bundles} as {@code <artifactId>.jar}. */
    public static Option file(String artifactId) {
        return bundle(bundleFile(artifactId).toURI().toString());
    }

    /** The file of a copied bundle; fails early and clearly if it is not there. */
    public static File bundleFile(String artifactId) {
        String dir = System.getProperty(BUNDLES_PROPERTY);
        if (dir == null) {
            throw new IllegalStateException(
                "System property " + BUNDLES_PROPERTY + " is not set: run the integration tests"
                + " with Maven (mvn verify), which copies the bundles and sets it");
        }
        File file = new File(dir, artifactId + ".jar");
        if (!file.isFile()) {
            throw new IllegalStateException("Missing bundle " + file + ": run mvn verify");
        }
        return file;
    }
}
