package org.iommulab.replay.internal.sg;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;

import org.iommulab.replay.internal.parse.LineParser;
import org.iommulab.replay.internal.parse.LineResult;
import org.iommulab.replay.internal.parse.TraceEvent;
import org.junit.jupiter.api.Test;

class CallOrderTest {
    private final LineParser parser = new LineParser();
    private final List<String> out = new ArrayList<>();
    private final CallOrder order = new CallOrder(4096, new CallOrder.Sink() {
        @Override
        public void call(TraceEvent e, PrecedingMaps maps, TraceEvent at) {
            out.add("call@" + e.line() + " at " + at.line() + " maps " + maps.maps().size());
        }

        @Override
        public void unclaimed(TraceEvent map, TraceEvent closer) {
            out.add("unclaimed@" + map.line() + " closer " + (closer == null ? "-" : closer.line()));
        }

        @Override
        public void other(TraceEvent e) {
            out.add("other@" + e.line());
        }
    });
    private long lineNo;

    private void feed(String... lines) {
        for (String l : lines) {
            LineResult r = parser.parse(l, ++lineNo);
            assertEquals(LineResult.Type.EVENT, r.type(), l);
            order.accept(r.event());
        }
    }

    private static String map(String ctx, long iova, long size) {
        return String.format("%s 1.0: map: IOMMU: iova=0x%016x - 0x%016x paddr=0x0000000040000000 size=%d", ctx, iova,
                iova + size, size);
    }

    @Test
    void aMappingCallTakesTheMomentOfItsFirstMapAndAnInterruptPrintedInsideItsRunComesAfter() {
        feed(map("fio-10 [000] .....", 0xffffe000L, 4096),                                     // 1: B's map
                "fio-10 [000] d.h1. 1.1: unmap: IOMMU: iova=0x00000000fffff000 - 0x0000000100000000 size=4096 unmapped_size=4096",
                "fio-10 [000] d.h1. 1.2: dma_unmap_page: d dir=TO_DEVICE dma_addr=fffff000 size=4096 attrs=", // 3: A's unmap (irq)
                "fio-10 [000] ..... 1.3: dma_map_page: d dir=TO_DEVICE dma_addr=ffffe000 size=4096 phys_addr=40000000 attrs=");
        order.finish();
        assertEquals(List.of("call@4 at 1 maps 1", "other@2", "call@3 at 3 maps 0"), out,
                "B runs at its map, before the interrupt's unmap; the interrupt did not close B's window");
    }

    /**
     * The common case, a call right after its one map with nothing else waiting (handed out at
     * once, without a slot), against the same call whose map lies outside its range (the map
     * unclaimed, then the call at its own line), and a map-less call after both.
     */
    @Test
    void aCallRightAfterItsOneMapTakesItAtOnce() {
        List<IommuMap> got = new ArrayList<>();
        CallOrder o = new CallOrder(4096, new CallOrder.Sink() {
            @Override
            public void call(TraceEvent e, PrecedingMaps maps, TraceEvent at) {
                out.add("call@" + e.line() + " at " + at.line() + " maps " + maps.maps().size() + " complete " + maps.complete());
                got.addAll(maps.maps());
            }

            @Override
            public void unclaimed(TraceEvent map, TraceEvent closer) {
                out.add("unclaimed@" + map.line() + " closer " + (closer == null ? "-" : closer.line()));
            }
        });
        String[] lines = {
            map("nm-611 [001] .....", 0xfff00000L, 4096),                                                          // 1
            "nm-611 [001] ..... 1.1: dma_map_page: d dir=TO_DEVICE dma_addr=fff00040 size=1500 phys_addr=40000040 attrs=", // 2
            map("nm-611 [001] .....", 0xfff08000L, 4096),                                                          // 3: not the call's
            "nm-611 [001] ..... 1.2: dma_map_page: d dir=TO_DEVICE dma_addr=fff01000 size=1500 phys_addr=40001000 attrs=", // 4
            "nm-611 [001] ..... 1.3: dma_unmap_page: d dir=TO_DEVICE dma_addr=fff00040 size=1500 attrs=",             // 5
        };
        long n = 0;
        for (String l : lines) {
            o.accept(parser.parse(l, ++n).event());
        }
        o.finish();
        assertEquals(List.of("call@2 at 1 maps 1 complete true", "unclaimed@3 closer 4", "call@4 at 4 maps 0 complete true",
                "call@5 at 5 maps 0 complete true"), out);
        // the map as iommu:map printed it: iova, paddr, size, and the task's pid and its line
        assertEquals(List.of(new IommuMap(0xfff00000L, 0x40000000L, 4096, 611, 1)), got);
    }

    @Test
    void windowsAreKeptPerCpuTaskAndInterruptLevel() {
        feed(map("fio-10 [000] .....", 0xffff8000L, 4096),                                     // 1
                map("fio-11 [001] .....", 0xfff00000L, 4096),                                  // 2: another CPU
                map("fio-10 [000] ..s1.", 0xffff0000L, 4096),                                  // 3: softirq on cpu 0
                "fio-10 [000] ..s1. 1.2: dma_map_page: d dir=TO_DEVICE dma_addr=ffff0000 size=64 phys_addr=40000000 attrs=", // 4
                map("fio-10 [000] .....", 0xffff9000L, 4096),                                  // 5
                "fio-10 [000] ..... 1.3: dma_map_sg: d dir=TO_DEVICE dma_addrs={0xffff8000} sizes={0x2000} "
                        + "phys_addrs={0x40000000,0x50000000} attrs=",                        // 6
                "fio-11 [001] ..... 1.4: dma_map_page: e dir=TO_DEVICE dma_addr=fff00000 size=4096 phys_addr=40000000 attrs="); // 7
        order.finish();
        assertEquals(List.of("call@6 at 1 maps 2", "call@7 at 2 maps 1", "call@4 at 3 maps 1"), out);
    }

    @Test
    void mapsNoCallClaimsAreUnclaimedWithTheCallThatClosedTheirWindow() {
        feed(map("kworker-7 [002] .....", 0xfffff000L, 4096),                                  // 1: MSI doorbell
                map("kworker-7 [002] .....", 0xffffe000L, 4096),                               // 2: the alloc's
                "kworker-7 [002] ..... 1.1: dma_alloc: d dir=BIDIRECTIONAL dma_addr=ffffe000 size=4096 virt_addr=0000000012345678 "
                        + "flags=GFP_KERNEL attrs=",                                           // 3
                map("kworker-7 [002] .....", 0xffffd000L, 4096));                             // 4: never claimed
        order.finish();
        assertEquals(List.of("unclaimed@1 closer 3", "call@3 at 2 maps 1", "unclaimed@4 closer -"), out);
    }

    @Test
    void aWindowThatNeverClosesIsForcedOutWithoutLosingEvents() {
        feed(map("k-1 [000] .....", 0x1000L, 4096));
        for (int i = 0; i < CallOrder.MAX_BUFFER + 10; i++) {
            feed("k-2 [001] ..... 1.0: dma_unmap_page: d dir=TO_DEVICE dma_addr=1000 size=4 attrs=");
        }
        assertEquals("unclaimed@1 closer -", out.get(0));
        order.finish();
        assertEquals(CallOrder.MAX_BUFFER + 11, out.size());
        assertEquals(1, order.forcedWindows());
    }

    @Test
    void interruptLevelsComeFromTheLatencyFlags() {
        LineResult hard = parser.parse("x-1 [003] d.h2. 1.0: dma_unmap_page: d dir=TO_DEVICE dma_addr=1000 size=4 attrs=", 1);
        LineResult soft = parser.parse("x-1 [003] ..s1. 1.0: dma_unmap_page: d dir=TO_DEVICE dma_addr=1000 size=4 attrs=", 1);
        LineResult nmi = parser.parse("x-1 [003] d.Z1. 1.0: dma_unmap_page: d dir=TO_DEVICE dma_addr=1000 size=4 attrs=", 1);
        LineResult task = parser.parse("x-1 [003] 1.0: dma_unmap_page: d dir=TO_DEVICE dma_addr=1000 size=4 attrs=", 1);
        assertEquals(TraceEvent.HARDIRQ, hard.event().context());
        assertEquals(TraceEvent.SOFTIRQ, soft.event().context());
        assertEquals(TraceEvent.NMI, nmi.event().context());
        assertEquals(TraceEvent.TASK, task.event().context());
    }
}
