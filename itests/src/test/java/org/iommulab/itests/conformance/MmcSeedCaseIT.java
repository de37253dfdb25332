package org.iommulab.itests.conformance;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import javax.inject.Inject;

import org.iommulab.api.admin.PlatformAdmin;
import org.iommulab.api.admin.Stat;
import org.iommulab.api.checker.Finding;
import org.iommulab.api.checker.FindingKind;
import org.iommulab.api.dma.DmaApi;
import org.iommulab.devices.Workload;
import org.iommulab.devices.WorkloadParams;
import org.iommulab.devices.WorkloadReport;
import org.iommulab.itests.support.Backends;
import org.iommulab.itests.support.Containers;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/**
 * The 2015 seed case in Felix, against every backend present: the devices bundle's two MMC
 * drivers (DS components on mmc0 and mmc1, re-created on every swap) mix DMA and PIO over
 * scattered 4 KiB pages. The correct one (SgMiter over the CPU view) passes everywhere. The
 * buggy one (DMA segment N paired with CPU entry N) passes where the backend left the list as
 * it was (nents == orig_nents) and is caught where the backend merged it: by the end-to-end
 * data check and by a checker finding for its CPU access outside the request's buffers.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class MmcSeedCaseIT {
    private static final long WAIT_MILLIS = 10_000;
    private static final WorkloadParams PARAMS = new WorkloadParams(4, 0, 2015);

    @Inject
    private BundleContext context;

    @Inject
    private PlatformAdmin admin;

    /** Checker findings for the device during the last {@link #run}. */
    private long lastFindings;

    @Configuration
    public Option[] config() {
        return Containers.options();
    }

    @Test
    public void theCorrectDriverPassesEverywhereAndTheBuggyOneIsCaughtWhereTheListWasMerged() throws Exception {
        Backends.awaitBackends(admin);
        Map<String, Boolean> backends = new Backends(context, admin).registered();
        assertFalse("no backend is registered", backends.isEmpty());
        List<String> failures = new ArrayList<>();
        List<String> merging = new ArrayList<>();
        for (Map.Entry<String, Boolean> b : backends.entrySet()) {
            String backend = b.getKey();
            try {
                WorkloadReport correct = run("mmc", "mmc0", backend);
                assertTrue("mmc on " + backend + ": " + correct, correct.clean());
                assertEquals("checker findings for the correct driver on " + backend, 0, lastFindings);

                WorkloadReport buggy = run("mmc-buggy", "mmc1", backend);
                if (buggy.merged()) {
                    merging.add(backend);
                    assertTrue("the data check missed the buggy driver on " + backend + ": " + buggy, buggy.dataErrors() > 0);
                    if (admin.checkerEnabled()) {
                        assertTrue("the checker missed the buggy driver on " + backend, lastFindings > 0);
                        assertTrue("no CPU-access finding for mmc1 on " + backend + ": " + admin.findings(),
                                admin.findings().stream().anyMatch(MmcSeedCaseIT::cpuAccessOfMmc1));
                    }
                } else {
                    assertEquals("unmerged on " + backend, buggy.cpuEntries(), buggy.dmaSegments());
                    assertTrue("without merging the buggy driver's assumption holds on " + backend + ": " + buggy,
                            buggy.clean());
                    assertEquals(0, lastFindings);
                }
            } catch (Throwable t) {
                StackTraceElement[] top = java.util.Arrays.copyOf(t.getStackTrace(), Math.min(8, t.getStackTrace().length));
                failures.add(backend + ": " + t + " at " + java.util.Arrays.toString(top));
            }
        }
        System.out.println("MmcSeedCaseIT: the buggy driver's lists were merged (and it was caught) on " + merging
                + " of " + backends.keySet());
        assertTrue(failures.size() + " of " + backends.size() + " backend(s) failed: " + failures, failures.isEmpty());
        if (backends.containsValue(Boolean.TRUE)) {
            assertFalse("an IOMMU backend is present (" + backends + ") but none merged the 16-page list", merging.isEmpty());
        }
    }

    /** Binds {@code device} to {@code backend}, waits for its re-created driver's workload and runs it. */
    private WorkloadReport run(String workload, String device, String backend) throws Exception {
        admin.bind(device, backend);
        Workload w = await(workload, backend);
        long before = admin.stats(device).get(Stat.CHECKER_FINDINGS);
        WorkloadReport r = w.run(PARAMS);
        lastFindings = admin.stats(device).get(Stat.CHECKER_FINDINGS) - before;
        assertEquals(backend, r.backend());
        assertEquals(4 * 2, r.sgLists());
        return r;
    }

    private Workload await(String workload, String backend) throws Exception {
        String filter = "(&(" + Workload.NAME_PROPERTY + "=" + workload + ")(" + DmaApi.BACKEND_PROPERTY + "=" + backend + "))";
        long deadline = System.currentTimeMillis() + WAIT_MILLIS;
        do {
            Collection<ServiceReference<Workload>> refs = context.getServiceReferences(Workload.class, filter);
            if (!refs.isEmpty()) {
                Workload w = context.getService(refs.iterator().next());
                assertNotNull(w);
                return w;
            }
            Thread.sleep(10);
        } while (System.currentTimeMillis() < deadline);
        throw new AssertionError("no Workload service " + filter + " within " + WAIT_MILLIS + " ms");
    }

    private static boolean cpuAccessOfMmc1(Finding f) {
        return f.device().equals("mmc1")
                && (f.kind() == FindingKind.CPU_ACCESS_UNALLOCATED || f.kind() == FindingKind.CPU_ACCESS_DEVICE_OWNED);
    }
}
