package org.iommulab.platform.internal.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.EnumMap;
import java.util.Map;

import org.iommulab.api.admin.Stat;
import org.iommulab.api.backend.BackendCounter;
import org.iommulab.api.backend.DeviceBinding;
import org.iommulab.testkit.FixedBinding;
import org.junit.jupiter.api.Test;

class StatCountersTest {
    private final Map<BackendCounter, Long> values = new EnumMap<>(BackendCounter.class);
    /** A binding that is only its counters: what {@code values} holds, -1 for the rest. */
    private final DeviceBinding binding = new FixedBinding(null, null, c -> values.getOrDefault(c, -1L), () -> { });

    @Test
    void platformCountsAndLiveBackendCountsAddUp() {
        StatCounters s = new StatCounters("nic0", "smmu");
        s.increment(Stat.MAPS);
        s.add(Stat.MAPPED_BYTES, 4096);
        s.attached(binding);
        values.put(BackendCounter.BOUNCED_BYTES_TO_DEVICE, 10L);
        values.put(BackendCounter.BOUNCED_BYTES_FROM_DEVICE, 5L);
        values.put(BackendCounter.IOTLB_HITS, 7L);

        assertEquals(1, s.snapshot().get(Stat.MAPS));
        assertEquals(4096, s.snapshot().get(Stat.MAPPED_BYTES));
        assertEquals(15, s.snapshot().get(Stat.BOUNCED_BYTES));
        assertEquals(7, s.snapshot().get(Stat.IOTLB_HITS));
        assertEquals(0, s.snapshot().get(Stat.IOTLB_MISSES), "-1 (no such counter) reads as 0");
        assertEquals("nic0", s.snapshot().device());
        assertEquals("smmu", s.snapshot().backend());
    }

    @Test
    void detachingFoldsTheBackendCountersIn() {
        StatCounters s = new StatCounters("nic0", "smmu");
        s.attached(binding);
        values.put(BackendCounter.IOTLB_MISSES, 3L);
        s.detaching(binding);
        values.put(BackendCounter.IOTLB_MISSES, 1000L);
        assertEquals(3, s.snapshot().get(Stat.IOTLB_MISSES));
        s.attached(binding);
        assertEquals(1003, s.snapshot().get(Stat.IOTLB_MISSES), "a later binding adds to what was folded");
    }
}
