package org.iommulab.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.Arrays;
import java.util.Locale;

import org.iommulab.api.dma.DmaApi;
import org.iommulab.api.dma.DmaAttrs;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.platform.PageAllocator;
import org.iommulab.api.platform.Zone;
import org.iommulab.platform.internal.checker.CheckerSettings;

/**
 * Row P5, not a JMH benchmark (it measures a state, not a call): the heap one live mapping
 * costs when a device holds 1,000,000 of them (the platform's live table, the IOVA tree and the
 * page tables in simulated memory, which live on the heap), as used heap after a full GC with
 * 1,000,000 live minus the same with none, divided by 1,000,000; and the median of one map +
 * unmap pair timed with 1,000 live and with 1,000,000 live, in the same run. Each backend on a
 * fresh platform, checker off, mappings made through the device's DmaApi.
 *
 * <p>Run in a JVM of its own (the summary starts one) so that no other benchmark's garbage is
 * counted. Prints one line per backend:
 * {@code P5 <backend> bytesPerMapping=<B> median1K=<ns> median1M=<ns>}.
 */
public final class LiveMappingScale {
    private static final int PAGE = (int) PageAllocator.PAGE_SIZE;

    private LiveMappingScale() {
    }

    public static void main(String[] args) {
        int live = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int samples = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        String[] backends = args.length > 2 ? args[2].split(",") : new String[] {"smmu-v3", "generic"};
        for (String backend : backends) {
            measure(backend, live, samples);
        }
        measureBaseline(live);
    }

    /**
     * The heap measurement's own check, in the same JVM: a {@code long[live]} weighed the same way
     * must come out at 8 bytes an entry (plus a header spread over a million entries).
     */
    private static void measureBaseline(int live) {
        long before = usedHeapAfterGc();
        long[] entries = new long[live];
        Arrays.fill(entries, 1L);
        long after = usedHeapAfterGc();
        java.lang.ref.Reference.reachabilityFence(entries);
        System.out.println(String.format(Locale.ROOT, "P5 baseline long[] bytesPerEntry=%.1f", (after - before) / (double) live));
        System.out.flush();
    }

    private static void measure(String backend, int live, int samples) {
        Rig rig = new Rig(backend, CheckerSettings.OFF);
        DmaApi api = rig.addDevice("bench0", 0x10);
        long page = rig.allocator.allocPages(1, Zone.NORMAL);
        long filler = rig.allocator.allocPages(1, Zone.NORMAL);
        // Warm the map/unmap path up before anything is timed or weighed.
        timePairs(api, page, samples);
        long before = usedHeapAfterGc();
        int small = Math.min(1000, live);
        for (int i = 0; i < small; i++) {
            api.mapPage(filler, 0, PAGE, DmaDirection.TO_DEVICE, DmaAttrs.NONE);
        }
        long median1k = timePairs(api, page, samples);
        for (int i = small; i < live; i++) {
            api.mapPage(filler, 0, PAGE, DmaDirection.TO_DEVICE, DmaAttrs.NONE);
        }
        if (rig.platform.liveMappings("bench0") != live) {
            throw new IllegalStateException("expected " + live + " live mappings, the platform holds "
                    + rig.platform.liveMappings("bench0"));
        }
        long median1m = timePairs(api, page, samples);
        long after = usedHeapAfterGc();
        if (Boolean.getBoolean("p5.histogram")) {
            printHistogram(backend);
        }
        rig.assertNoFindings();
        System.out.println(String.format(Locale.ROOT, "P5 %s live=%d bytesPerMapping=%.1f median1K=%d median1M=%d",
                backend, live, (after - before) / (double) live, median1k, median1m));
        System.out.flush();
    }

    /**
     * With {@code -Dp5.histogram=true}: the live heap's class histogram (the top classes) while the
     * mappings are live, to see which structure the bytes per mapping go to (the JVM's
     * {@code GC.class_histogram} diagnostic command, as {@code jmap -histo:live} prints it).
     */
    private static void printHistogram(String backend) {
        try {
            javax.management.ObjectName dc = new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand");
            String h = (String) ManagementFactory.getPlatformMBeanServer().invoke(dc, "gcClassHistogram",
                    new Object[] {null}, new String[] {String[].class.getName()});
            String[] lines = h.split("\n");
            System.out.println("P5 " + backend + " heap histogram (top classes):");
            for (int i = 0; i < Math.min(lines.length, 25); i++) {
                System.out.println("  " + lines[i]);
            }
        } catch (javax.management.JMException e) {
            System.out.println("P5 " + backend + " no histogram: " + e);
        }
    }

    /** The median, in ns, of {@code n} map + unmap pairs of one page, each timed alone. */
    private static long timePairs(DmaApi api, long page, int n) {
        long[] t = new long[n];
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            long dma = api.mapPage(page, 0, PAGE, DmaDirection.BIDIRECTIONAL, DmaAttrs.NONE);
            api.unmapPage(dma, PAGE, DmaDirection.BIDIRECTIONAL, DmaAttrs.NONE);
            t[i] = System.nanoTime() - t0;
        }
        Arrays.sort(t);
        return t[n / 2];
    }

    /** Used heap once repeated full GCs stop freeing anything (to within 1%), or after five. */
    private static long usedHeapAfterGc() {
        MemoryMXBean mx = ManagementFactory.getMemoryMXBean();
        long last = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            long used = mx.getHeapMemoryUsage().getUsed();
            if (last != Long.MAX_VALUE && Math.abs(last - used) < used / 100) {
                return used;
            }
            last = used;
        }
        return last;
    }
}
