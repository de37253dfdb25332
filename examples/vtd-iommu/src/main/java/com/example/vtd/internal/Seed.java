package com.example.vtd.internal;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The seeded faults of this example: deliberate, realistic bugs, each switched on by one value
 * of the system property {@value #PROPERTY} (for example {@code -Dvtd.seed=leak-tables}), so
 * that the TCK can be shown to catch them ({@code run-seeded}). Without the property the model
 * and its driver are correct ({@link #NONE}). The component reads the property once, when it
 * activates; tests pass a seed to the constructors.
 */
public enum Seed {
    /** No seeded fault. */
    NONE(""),
    /**
     * Driver: freeing a domain frees only the top-level table ({@code free_pgtable_page(pgd)}
     * without the {@code domain_unmap} freelist): every lower table page leaks.
     */
    LEAK_TABLES("leak-tables"),
    /**
     * Driver: {@code iotlb_sync} invalidates only the first page of the gathered range (a PSI
     * with AM = 0 instead of the mask {@code calculate_psi_aligned_address} computes): the
     * other pages of a multi-page unmap stay reachable through the IOTLB.
     */
    FIRST_PAGE_ONLY("first-page-only"),
    /**
     * Driver: page-table pages are not zeroed before use (no {@code __GFP_ZERO}): whatever the
     * page held before reads as entries.
     */
    DIRTY_TABLES("dirty-tables"),
    /** Model: the walk ignores the W bit (any present entry is writable): a permission bit ignored. */
    IGNORE_WRITE("ignore-write"),
    /**
     * Model: IOTLB entries are tagged with the requester's source-id instead of the context
     * entry's domain ID, so domain- and page-selective invalidations (which name a DID) miss them.
     */
    SID_TAG("sid-tag"),
    /**
     * Model: an invalidation wait descriptor completes (writes its status) before the
     * invalidations queued ahead of it, which run only at the next tail write: the driver's
     * {@code qi_submit_sync} returns while stale translations are still cached.
     */
    WAIT_BEFORE_INVAL("wait-before-inval"),
    /**
     * Driver: the fault interrupt handler reports every fault record it drains to the platform
     * as well, so each fault is reported twice.
     */
    FAULT_TWICE("fault-twice"),
    /**
     * Model: a permission fault found on an IOTLB hit aborts the access without recording or
     * reporting it (the shape of QEMU's {@code vtd_do_iommu_translate}, which returns a cached
     * entry before any fault path): the fault is recorded not at all.
     */
    FAULT_LOST("fault-lost");

    /** The system property that selects a seed. */
    public static final String PROPERTY = "vtd.seed";

    private final String id;

    Seed(String id) {
        this.id = id;
    }

    /** The property value that selects this seed. */
    public String id() {
        return id;
    }

    /**
     * The seed called {@code value}; null or empty is {@link #NONE}.
     *
     * @throws IllegalArgumentException for an unknown name, listing the known ones
     */
    public static Seed parse(String value) {
        if (value == null || value.isBlank()) {
            return NONE;
        }
        for (Seed s : values()) {
            if (s.id.equals(value.trim())) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown " + PROPERTY + " '" + value + "'; known: " + Arrays.stream(values())
                .filter(s -> s != NONE).map(Seed::id).collect(Collectors.joining(", ")));
    }

    /** The seed the system property selects. */
    public static Seed fromSystemProperty() {
        return parse(System.getProperty(PROPERTY));
    }

    @Override
    public String toString() {
        return this == NONE ? "no seed" : "seed " + id;
    }
}
