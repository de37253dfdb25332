package org.iommulab.platform.internal.checker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.iommulab.api.admin.Stat;
import org.iommulab.api.checker.Finding;
import org.iommulab.api.checker.FindingKind;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.platform.internal.stats.StatCounters;
import org.junit.jupiter.api.Test;

class FindingHubTest {
    private final FindingHub hub = new FindingHub();
    private final StatCounters stats = new StatCounters("nic0", "smmu-v3");
    private final List<String> log = new ArrayList<>();

    @Test
    void findingsAreNumberedCountedAndKeptInABoundedHistory() {
        for (int i = 0; i < FindingHub.HISTORY + 5; i++) {
            hub.publish(hub.create("nic0", "smmu-v3", FindingKind.LEAK, "device driver has pending DMA allocations while "
                    + "released from device [count=1]", 0x1000 * i, 64, DmaDirection.TO_DEVICE, null, null), stats, log::add);
        }
        List<Finding> kept = hub.findings();
        assertEquals(FindingHub.HISTORY, kept.size());
        assertEquals(6, kept.get(0).sequence(), "the oldest went first");
        assertEquals(FindingHub.HISTORY + 5, kept.get(kept.size() - 1).sequence());
        assertEquals(FindingHub.HISTORY + 5, stats.count(Stat.CHECKER_FINDINGS));
        assertEquals("DMA-API: nic0: device driver has pending DMA allocations while released from device [count=1]",
                kept.get(0).message());
    }

    @Test
    void listenersComeAndGoAndAFailingOneIsLogged() {
        List<Finding> heard = new ArrayList<>();
        org.iommulab.api.checker.FindingListener ear = heard::add;
        hub.addListener(ear);
        hub.addListener(ear);
        hub.addListener(f -> {
            throw new IllegalStateException("boom");
        });
        Finding f = hub.create("nic0", "generic", FindingKind.SUB_PAGE_EXPOSURE, "x", 1, 2, null, "a", "b");
        hub.publish(f, null, log::add);
        assertEquals(List.of(f), heard, "once, though added twice");
        assertTrue(log.get(0).contains("boom"), log.toString());
        hub.removeListener(ear);
        hub.publish(f, null, log::add);
        assertEquals(1, heard.size());
    }
}
