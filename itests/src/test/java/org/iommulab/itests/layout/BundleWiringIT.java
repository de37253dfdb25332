package org.iommulab.itests.layout;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import javax.inject.Inject;

import org.iommulab.itests.support.Containers;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.namespace.PackageNamespace;
import org.osgi.framework.wiring.BundleWire;
import org.osgi.framework.wiring.BundleWiring;

/**
 * The module layout as the framework wired it: which iommulab bundle imports packages from
 * which. Bundles meet through services; package dependencies run only down to the libraries
 * ({@code api}, {@code io-pgtable}, {@code model-kit}), so that stopping, updating or removing
 * a backend bundle never refreshes another backend's bundle. A new package dependency between
 * bundles fails here and must be argued for in this table.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class BundleWiringIT {
    private static final String API = "org.iommulab.api";
    private static final String IOPGTABLE = "org.iommulab.iopgtable";
    private static final String MODELKIT = "org.iommulab.modelkit";

    /** For each iommulab bundle: the iommulab bundles it may import packages from. */
    private static final Map<String, Set<String>> ALLOWED = new TreeMap<>(Map.ofEntries(
            Map.entry(API, Set.of(API)),
            Map.entry(IOPGTABLE, Set.of(API)),
            Map.entry(MODELKIT, Set.of(API)),
            Map.entry("org.iommulab.platform", Set.of(API)),
            Map.entry("org.iommulab.swiotlb", Set.of(API)),
            Map.entry("org.iommulab.iommu.dma", Set.of(API)),
            Map.entry("org.iommulab.iommu.generic", Set.of(API, IOPGTABLE, MODELKIT)),
            Map.entry("org.iommulab.smmu.v2", Set.of(API, IOPGTABLE, MODELKIT)),
            Map.entry("org.iommulab.smmu.v3", Set.of(API, IOPGTABLE, MODELKIT)),
            Map.entry("org.iommulab.devices", Set.of(API, "org.iommulab.devices")),
            // The conformance kit uses the exported API only, so it holds every backend alike.
            Map.entry("org.iommulab.tck", Set.of(API))));

    @Inject
    private BundleContext context;

    @Configuration
    public Option[] config() {
        return Containers.options();
    }

    @Test
    public void iommulabBundlesImportOnlyFromTheLibrariesBelowThem() {
        Map<String, Bundle> present = new TreeMap<>();
        for (Bundle b : context.getBundles()) {
            String bsn = b.getSymbolicName();
            if (bsn != null && bsn.startsWith("org.iommulab.")) {
                present.put(bsn, b);
            }
        }
        assertTrue("bundles under test missing: " + missing(present.keySet()), present.keySet().containsAll(ALLOWED.keySet()));
        List<String> wrong = new ArrayList<>();
        for (Map.Entry<String, Set<String>> e : ALLOWED.entrySet()) {
            Set<String> from = importsFrom(present.get(e.getKey()));
            from.removeIf(bsn -> !bsn.startsWith("org.iommulab."));
            Set<String> extra = new TreeSet<>(from);
            extra.removeAll(e.getValue());
            if (!extra.isEmpty()) {
                wrong.add(e.getKey() + " imports from " + extra);
            }
        }
        assertEquals("package dependencies outside the layout", List.of(), wrong);
    }

    @Test
    public void noBundleButTheIommuLayerItselfWiresToIommuDmaOrSwiotlbOrAModel() {
        Set<String> leaves = Set.of("org.iommulab.iommu.dma", "org.iommulab.swiotlb", "org.iommulab.platform",
                "org.iommulab.iommu.generic", "org.iommulab.smmu.v2", "org.iommulab.smmu.v3");
        List<String> wrong = new ArrayList<>();
        for (Bundle b : context.getBundles()) {
            String bsn = b.getSymbolicName();
            if (bsn == null || leaves.contains(bsn)) {
                continue;
            }
            for (String target : importsFrom(b)) {
                if (leaves.contains(target)) {
                    wrong.add(bsn + " -> " + target);
                }
            }
        }
        assertEquals("bundles wired to a service-only bundle's packages", List.of(), wrong);
    }

    private static Set<String> importsFrom(Bundle b) {
        Set<String> out = new TreeSet<>();
        BundleWiring wiring = b.adapt(BundleWiring.class);
        if (wiring == null) {
            return out;
        }
        for (BundleWire w : wiring.getRequiredWires(PackageNamespace.PACKAGE_NAMESPACE)) {
            out.add(w.getProvider().getBundle().getSymbolicName());
        }
        return out;
    }

    private static Set<String> missing(Set<String> present) {
        Set<String> m = new TreeSet<>(ALLOWED.keySet());
        m.removeAll(present);
        return m;
    }
}
