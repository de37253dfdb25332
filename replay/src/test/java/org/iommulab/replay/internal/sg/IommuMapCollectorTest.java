package org.iommulab.replay.internal.sg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.iommulab.replay.internal.parse.LineParser;
import org.iommulab.replay.internal.parse.TraceEvent;
import org.junit.jupiter.api.Test;

class IommuMapCollectorTest {
    private final LineParser parser = new LineParser();
    private final IommuMapCollector collector = new IommuMapCollector();

    private PrecedingMaps feed(String line) {
        TraceEvent e = parser.parse(line, 1).event();
        return collector.accept(e);
    }

    private static String map(String task, int cpu, long iova) {
        return String.format("%s [%03d] ..... 1.0: map: IOMMU: iova=0x%016x - 0x%016x paddr=0x0000000010000000 size=4096",
                task, cpu, iova, iova + 4096);
    }

    private static String sg(String task, int cpu) {
        return task + " [" + String.format("%03d", cpu) + "] ..... 1.1: dma_map_sg: d dir=TO_DEVICE dma_addrs={0x1000} sizes={0x2000} phys_addrs={0x10000000,0x10001000} attrs=";
    }

    @Test
    void mapsPrecedingACallOnItsCpuByItsTaskBelongToIt() {
        assertSame(PrecedingMaps.NONE, feed(map("fio-10", 1, 0x1000)));
        feed(map("fio-10", 1, 0x2000));
        feed(map("kworker-3", 2, 0x9000)); // another CPU
        feed(map("irq-7", 1, 0x7000)); // same CPU, another task
        PrecedingMaps m = feed(sg("fio-10", 1));
        assertEquals(2, m.maps().size());
        assertEquals(0x1000, m.maps().get(0).iova());
        assertEquals(0x2000, m.maps().get(1).iova());
        assertTrue(m.complete());
    }

    @Test
    void everyDmaEventClosesItsCpusWindow() {
        feed(map("fio-10", 1, 0x1000));
        feed("fio-10 [001] ..... 1.0: dma_map_page: d dir=TO_DEVICE dma_addr=1000 size=16 phys_addr=10000000 attrs=");
        assertTrue(feed(sg("fio-10", 1)).isEmpty());
        feed(map("fio-10", 2, 0x1000));
        assertEquals(1, feed(sg("fio-10", 2)).maps().size());
        assertTrue(feed(sg("fio-10", 2)).isEmpty(), "used once");
    }

    @Test
    void tooManyPendingMapsMakeTheWindowIncomplete() {
        for (int i = 0; i <= IommuMapCollector.MAX_PENDING; i++) {
            feed(map("fio-10", 0, 0x1000L * (i + 1)));
        }
        PrecedingMaps m = feed(sg("fio-10", 0));
        assertFalse(m.complete());
        assertEquals(IommuMapCollector.MAX_PENDING, m.maps().size());
    }
}
