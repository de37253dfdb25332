package org.iommulab.itests.lifecycle;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import javax.inject.Inject;

import org.iommulab.api.admin.PlatformAdmin;
import org.iommulab.itests.support.Backends;
import org.iommulab.itests.support.Containers;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.Parameterized.Parameters;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExamParameterized;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

/**
 * Lifecycle independence of every backend bundle, in a fresh Felix per case: the bundle is
 * stopped and started, updated with the same jar, or uninstalled, refreshed and installed
 * again, while every device of the container is busy ({@link Fleet}): the devices bundle's
 * workloads run in a loop and tracked devices on every backend move data through live
 * mappings all the time.
 *
 * <p>A bundle's backends are read from the registry: the {@code DmaBackend} and
 * {@code IommuDriver} services it registers. An operation that ends in a refresh touches the
 * bundle's dependency closure too (io-pgtable's importers: the IOMMU model bundles), so their
 * backends count as the bundle's. After each step: the devices of those backends moved to the
 * best backend left (their data intact, their drivers created again, nothing leaked); every
 * other device was not touched (same backend, swap count, driver instance and DMA addresses,
 * and every device access and workload run through the operation succeeded); no thread hung,
 * no call ended in an NPE or an escaped exception. Stopping iommu-dma withdraws every IOMMU
 * backend (it registers them); stopping io-pgtable, a library, touches no one.
 */
@RunWith(PaxExamParameterized.class)
@ExamReactorStrategy(PerMethod.class)
public class BundleLifecycleIT {
    /** Artifacts of the bundles under test. */
    static final List<String> BUNDLES = List.of("smmu-v3", "smmu-v2", "generic-iommu", "swiotlb-bounce", "iommu-dma",
            "io-pgtable");
    static final String STOP_START = "stop+start";
    static final String UPDATE = "update+refresh";
    static final String UNINSTALL = "uninstall+refresh+reinstall";

    @Inject
    private BundleContext context;

    @Inject
    private PlatformAdmin admin;

    private final String artifact;
    private final String operation;

    /** @param run empty, or which run of a repeated case this is (" #2") */
    public BundleLifecycleIT(String artifact, String operation, String run) {
        this.artifact = artifact;
        this.operation = operation;
    }

    /**
     * Every bundle with every operation; {@code -Ditest.lifecycle=smmu-v3,iommu-dma} keeps the
     * cases whose bundle or operation is named (to run a few while working on one), and
     * {@code -Ditest.lifecycle.repeat=20} runs each case that many times (to chase a rare
     * interleaving, each run in a fresh container).
     */
    @Parameters(name = "{0} {1}{2}")
    public static List<Object[]> cases() {
        String only = System.getProperty("itest.lifecycle", "").trim();
        List<String> keep = only.isEmpty() ? List.of() : List.of(only.split("\\s*,\\s*"));
        int repeat = Math.max(1, Integer.getInteger("itest.lifecycle.repeat", 1));
        List<Object[]> cases = new ArrayList<>();
        for (String b : BUNDLES) {
            for (String op : List.of(STOP_START, UPDATE, UNINSTALL)) {
                if (keep.isEmpty() || keep.contains(b) || keep.contains(op)) {
                    for (int run = 1; run <= repeat; run++) {
                        cases.add(new Object[] {b, op, repeat == 1 ? "" : " #" + run});
                    }
                }
            }
        }
        return cases;
    }

    @Configuration
    public static Option[] config() {
        return Containers.options();
    }

    @Test
    public void theBundleMovesOnlyItsOwnDevices() throws Exception {
        Backends.awaitBackends(admin);
        BundleOps ops = new BundleOps(context);
        Bundle bundle = ops.byArtifact(artifact);
        assertEquals(artifact + " is active", Bundle.ACTIVE, bundle.getState());
        // A stop touches the bundle alone; a refresh restarts everything wired to it too.
        Set<Bundle> touched = operation.equals(STOP_START) ? Set.of(bundle) : ops.dependencyClosure(bundle);
        Set<String> affected = Fleet.backendsOf(context, touched);
        List<String> before = admin.backends();
        if (!operation.equals(STOP_START) || !artifact.equals("io-pgtable")) {
            assertFalse(artifact + " (" + BundleOps.names(touched) + ") provides no backend for " + operation,
                    affected.isEmpty());
        }
        boolean poolGoes = Fleet.registersPool(context, touched);
        Fleet fleet = Fleet.start(context, admin, affected, poolGoes);
        try {
            switch (operation) {
                case STOP_START:
                    bundle.stop();
                    fleet.awaitAffectedGone("after stop");
                    fleet.checkOthersUntouched("after stop");
                    fleet.checkMovedDevices("after stop");
                    bundle.start();
                    fleet.awaitRegistered(before, "after start");
                    break;
                case UPDATE:
                    bundle.update();
                    ops.refresh();
                    fleet.awaitRegistered(before, "after update and refresh");
                    break;
                case UNINSTALL:
                    String location = bundle.getLocation();
                    List<Bundle> dependents = new ArrayList<>(touched);
                    dependents.remove(bundle);
                    bundle.uninstall();
                    ops.refresh();
                    fleet.awaitAffectedGone("after uninstall and refresh");
                    fleet.checkOthersUntouched("after uninstall and refresh");
                    fleet.checkMovedDevices("after uninstall and refresh");
                    context.installBundle(location).start();
                    BundleOps.startAll(dependents);
                    fleet.awaitRegistered(before, "after reinstall");
                    break;
                default:
                    throw new AssertionError("unknown operation " + operation);
            }
            fleet.awaitSettled("after " + operation);
            fleet.checkOthersUntouched("after " + operation);
            fleet.checkMovedDevices("after " + operation);
            fleet.finish();
        } finally {
            fleet.release();
        }
    }
}
