package org.iommulab.app.internal.collect;

import java.util.List;

import org.iommulab.api.admin.PlatformAdmin;
import org.iommulab.api.backend.ReservedRegion;
import org.iommulab.api.iommu.PageTableCensus;

/**
 * What the collector asks the platform about a device's address space on a backend: its
 * reserved regions and a census of its page-table tree. Each answer is null when it cannot be
 * told for that backend (the device is elsewhere now, or gone). Thread-safe.
 */
public interface DomainProbe {
    /** Asks nothing: every answer null. */
    DomainProbe NONE = new DomainProbe() {
        @Override
        public List<ReservedRegion> reservedRegions(String device, String backend) {
            return null;
        }

        @Override
        public PageTableCensus census(String device, String backend) {
            return null;
        }
    };

    List<ReservedRegion> reservedRegions(String device, String backend);

    PageTableCensus census(String device, String backend);

    /**
     * Answered by {@code admin}, only while the device is on {@code backend} before and after
     * the asking (a swap in between gives null, asked again later); null for a device the
     * platform no longer has.
     */
    static DomainProbe of(PlatformAdmin admin) {
        return new DomainProbe() {
            @Override
            public List<ReservedRegion> reservedRegions(String device, String backend) {
                try {
                    if (!on(device, backend)) {
                        return null;
                    }
                    List<ReservedRegion> r = admin.reservedRegions(device);
                    return on(device, backend) ? r : null;
                } catch (IllegalArgumentException e) {
                    return null;
                }
            }

            @Override
            public PageTableCensus census(String device, String backend) {
                try {
                    if (!on(device, backend)) {
                        return null;
                    }
                    PageTableCensus c = admin.pageTableCensus(device);
                    return on(device, backend) ? c : null;
                } catch (IllegalArgumentException e) {
                    return null;
                }
            }

            private boolean on(String device, String backend) {
                return backend.equals(admin.device(device).backend());
            }
        };
    }
}
