package org.iommulab.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.iommulab.api.admin.DeviceStatus;
import org.junit.jupiter.api.Test;

/** Every check on the built-in kinds of backend, made from plain classes: all pass or do not apply. */
class TckTest {
    /** Checks that need an isolating backend. */
    static final Set<String> ISOLATION = Set.of("fault-after-unmap", "direction-permissions", "isolation-between-devices",
            "multi-page-invalidation", "fault-reported-once");
    /** Checks that drive an IOMMU driver. */
    static final Set<String> DRIVER = Set.of("iova-to-phys", "partial-invalidation", "isolation-between-domains",
            "detach-reattach", "table-pages-returned", "table-pages-zeroed");

    @Test
    void everyCheckPassesOrDoesNotApplyOnEveryKindOfBackend() {
        TckHarness h = new TckHarness().directAndSwiotlb().generic();
        Tck tck = h.tck();
        assertEquals(List.of("generic", "swiotlb", "direct"), tck.backends());
        List<String> wrong = new ArrayList<>();
        long allocated = 0;
        // The first run leaves what drivers keep from their first probe (the generic IOMMU's
        // device table); the second must leave exactly what the first did.
        for (int run = 0; run < 2; run++) {
            allocated = h.allocator.allocatedBytes();
            for (CheckResult r : tck.run(Tck.checks(), tck.backends(), run == 0 ? System.out::println : null)) {
                CheckResult.Status want = expected(r.check(), r.backend());
                if (r.status() != want) {
                    wrong.add(r + (r.failure() == null ? "" : " " + stack(r.failure())));
                }
            }
        }
        assertTrue(wrong.isEmpty(), () -> String.join("\n", wrong));
        Set<String> left = new HashSet<>();
        for (DeviceStatus d : h.platform.devices()) {
            left.add(d.name());
        }
        assertTrue(left.isEmpty(), "the checks left devices behind: " + left);
        assertEquals(allocated, h.allocator.allocatedBytes(), "the checks left pages allocated");
    }

    @Test
    void checksHaveUniqueIdsAndRules() {
        Set<String> ids = new HashSet<>();
        for (Check c : Tck.checks()) {
            assertTrue(c.id().matches("[a-z0-9]+(-[a-z0-9]+)*"), c.id());
            assertTrue(ids.add(c.id()), "twice: " + c.id());
            assertTrue(c.rule().length() > 40, c.id() + " says too little about its rule");
        }
        assertEquals("bundle-lifecycle", Tck.checks().get(Tck.checks().size() - 1).id());
    }

    @Test
    void anUnknownBackendIsAFailedResultNotAnException() {
        TckHarness h = new TckHarness().directAndSwiotlb();
        CheckResult r = h.tck().run(Tck.check("map-read-write-unmap"), "nope");
        assertEquals(CheckResult.Status.FAILED, r.status());
        assertTrue(r.reason().contains("no backend 'nope'"), r.reason());
    }

    static CheckResult.Status expected(String check, String backend) {
        boolean iommu = backend.equals("generic");
        if (check.equals("bundle-lifecycle")) {
            return CheckResult.Status.SKIPPED;
        }
        if (!iommu && (ISOLATION.contains(check) || DRIVER.contains(check))) {
            return CheckResult.Status.SKIPPED;
        }
        return CheckResult.Status.PASSED;
    }

    static String stack(Throwable t) {
        java.io.StringWriter s = new java.io.StringWriter();
        t.printStackTrace(new java.io.PrintWriter(s));
        return s.toString();
    }
}
