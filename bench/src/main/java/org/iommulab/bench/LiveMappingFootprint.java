package org.iommulab.bench;

import org.iommulab.api.dma.DmaApi;
import org.iommulab.api.dma.DmaAttrs;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.platform.internal.checker.CheckerSettings;

/**
 * Row P5 of the performance issue: Java heap per live mapping at 1,000,000 live single-page
 * mappings of one device, through a whole platform (the platform's live table, the IOVA
 * allocator's tree, the page tables and everything else a mapping keeps), checker off. Heap
 * is read after repeated {@link System#gc()} before and after the mappings; the baseline in
 * the same run is the heap of the same rig with no mapping made (before), and a
 * {@code long[]} of one entry per mapping measured the same way (8 B a mapping: the
 * measurement's own floor and accuracy check). Simulated RAM (page-table pages included) is
 * counted where it lives, in the Java heap.
 *
 * <pre>
 * java -cp bench/target/classes:$(cat bench/target/bench.classpath) -Xmx4g \
 *     org.iommulab.bench.LiveMappingFootprint [count] [backend...]
 * </pre>
 */
public final class LiveMappingFootprint {
    private LiveMappingFootprint() {
    }

    public static void main(String[] args) {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        String[] backends = args.length > 1 ? java.util.Arrays.copyOfRange(args, 1, args.length)
                : new String[] {"smmu-v3", "generic"};
        long before = usedHeap();
        long[] floor = new long[count];
        long after = usedHeap();
        System.out.printf("baseline  long[%d]: %.1f B per entry (8 expected)%n", floor.length,
                (after - before) / (double) count);
        java.lang.ref.Reference.reachabilityFence(floor);
        for (String b : backends) {
            measure(b, count);
        }
    }

    private static void measure(String backend, int count) {
        HotPathRig rig = new HotPathRig(backend, 1, CheckerSettings.OFF);
        DmaApi api = rig.apis[0];
        long phys = rig.page();
        // One mapping first, so that lazily built structures exist before the "before" reading.
        long first = api.mapPhys(phys, HotPathRig.PAGE, DmaDirection.TO_DEVICE, DmaAttrs.NONE);
        long before = usedHeap();
        for (int i = 1; i < count; i++) {
            long dma = api.mapPhys(phys, HotPathRig.PAGE, DmaDirection.TO_DEVICE, DmaAttrs.NONE);
            if (api.mappingError(dma)) {
                throw new IllegalStateException("mapping " + i + " failed");
            }
        }
        long after = usedHeap();
        System.out.printf("%-8s  %d live: %.1f B per live mapping (heap %.1f MiB -> %.1f MiB)%n", backend, count,
                (after - before) / (double) (count - 1), before / 1048576.0, after / 1048576.0);
        if (api.mappingError(first)) {
            throw new IllegalStateException("the first mapping failed");
        }
        java.lang.ref.Reference.reachabilityFence(rig);
    }

    /** Used heap once repeated full collections stop freeing anything. */
    static long usedHeap() {
        Runtime rt = Runtime.getRuntime();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 10; i++) {
            System.gc();
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            long now = rt.totalMemory() - rt.freeMemory();
            if (now >= used && i >= 3) {
                return Math.min(now, used);
            }
            used = Math.min(used, now);
        }
        return used;
    }
}
