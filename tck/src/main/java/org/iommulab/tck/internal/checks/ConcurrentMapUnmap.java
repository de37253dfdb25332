package org.iommulab.tck.internal.checks;

import static org.iommulab.tck.internal.Expect.hex;
import static org.iommulab.tck.internal.Expect.that;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.iommulab.api.admin.Stat;
import org.iommulab.api.checker.Finding;
import org.iommulab.api.dma.DmaAttrs;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.dma.SgTable;
import org.iommulab.api.platform.Zone;
import org.iommulab.tck.internal.Expect;
import org.iommulab.tck.internal.Rig;
import org.iommulab.tck.internal.TestDevice;

/** Two threads map, use and unmap through one device at once. */
final class ConcurrentMapUnmap extends RigCheck {
    static final int THREADS = 2;
    static final int ROUNDS = 300;
    static final long WAIT_SECONDS = 45;

    ConcurrentMapUnmap() {
        super("concurrent-map-unmap", "The DMA API may be called from any thread at once (a multi-queue driver maps"
                + " on every CPU): the IOVA allocator, page tables and IOTLB maintenance of one device stay"
                + " consistent, every mapping carries its own bytes both ways, no call fails for want of a lock, and"
                + " the DMA-API checker finds nothing wrong.");
    }

    @Override
    String run(Rig rig) throws Exception {
        TestDevice d = rig.device("mt");
        List<String> errors = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch go = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(THREADS);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            long buf = rig.pages(4, Zone.NORMAL);
            int id = t;
            Thread th = new Thread(() -> {
                try {
                    go.await();
                    loop(rig, d, buf, id, errors);
                } catch (Throwable e) {
                    errors.add("thread " + id + ": " + e);
                } finally {
                    done.countDown();
                }
            }, "tck concurrent " + t);
            th.setDaemon(true);
            threads.add(th);
            th.start();
        }
        go.countDown();
        boolean finished = done.await(WAIT_SECONDS, TimeUnit.SECONDS);
        if (!finished) {
            StringBuilder where = new StringBuilder();
            for (Thread th : threads) {
                StackTraceElement[] st = th.getStackTrace();
                where.append(th.getName()).append(' ').append(th.getState()).append(" at ")
                        .append(st.length > 0 ? st[0] : "?").append("; ");
            }
            throw Expect.fail("two threads mapping through one device did not finish " + ROUNDS + " rounds each in "
                    + WAIT_SECONDS + " s: " + where);
        }
        that(errors.isEmpty(), () -> errors.size() + " error(s), first: " + errors.get(0));
        long failures = d.stat(Stat.MAP_FAILURES);
        that(failures == 0, () -> failures + " mappings failed; log: " + rig.admin.log(d.name));
        for (Finding f : rig.admin.findings()) {
            that(!d.name.equals(f.device()), () -> "the DMA-API checker found: " + f.message());
        }
        return THREADS + " threads x " + ROUNDS + " rounds of map, device read and write, unmap (single and sg)"
                + " on one device: every byte right, no failure, no checker finding";
    }

    private static void loop(Rig rig, TestDevice d, long buf, int id, List<String> errors) {
        Random rnd = new Random(100 + id);
        byte[] data = new byte[3 * PAGE];
        byte[] seen = new byte[3 * PAGE];
        for (int round = 0; round < ROUNDS && errors.isEmpty(); round++) {
            int off = rnd.nextInt(PAGE / 64) * 64;
            int len = 1 + rnd.nextInt(2 * PAGE);
            rnd.nextBytes(data);
            rig.memory.write(buf + off, data, 0, len);
            if (round % 10 == 9) {
                sgRound(rig, d, buf, data, len, id, round, errors);
                continue;
            }
            long dma = d.api.mapPhys(buf + off, len, DmaDirection.BIDIRECTIONAL, DmaAttrs.NONE);
            if (d.api.mappingError(dma)) {
                errors.add("thread " + id + " round " + round + ": mapping " + len + " bytes failed");
                return;
            }
            d.bus.read(dma, seen, 0, len);
            int bad = firstDiff(data, seen, len);
            if (bad >= 0) {
                errors.add("thread " + id + " round " + round + ": the device read a wrong byte at " + hex(dma + bad)
                        + " (offset " + bad + " of " + len + ")");
            }
            for (int i = 0; i < len; i++) {
                data[i] = (byte) ~data[i];
            }
            d.bus.write(dma, data, 0, len);
            d.api.unmapPhys(dma, len, DmaDirection.BIDIRECTIONAL, DmaAttrs.NONE);
            rig.memory.read(buf + off, seen, 0, len);
            bad = firstDiff(data, seen, len);
            if (bad >= 0) {
                errors.add("thread " + id + " round " + round + ": after unmap the CPU read a wrong byte at offset " + bad
                        + " of " + len);
            }
        }
    }

    private static void sgRound(Rig rig, TestDevice d, long buf, byte[] data, int len, int id, int round,
            List<String> errors) {
        rig.memory.write(buf, data, 0, PAGE);
        rig.memory.write(buf + 2 * PAGE, data, PAGE, PAGE);
        SgTable sg = SgTable.of(new long[] {buf, buf + 2 * PAGE}, new int[] {PAGE, PAGE});
        int n = d.api.mapSg(sg, 2, DmaDirection.TO_DEVICE, DmaAttrs.NONE);
        if (n <= 0) {
            errors.add("thread " + id + " round " + round + ": dma_map_sg returned " + n);
            return;
        }
        byte[] got = new byte[2 * PAGE];
        int at = 0;
        for (int s = 0; s < n; s++) {
            d.bus.read(sg.dmaAddress(s), got, at, sg.dmaLength(s));
            at += sg.dmaLength(s);
        }
        d.api.unmapSg(sg, 2, DmaDirection.TO_DEVICE, DmaAttrs.NONE);
        int bad = firstDiff(data, got, 2 * PAGE);
        if (bad >= 0) {
            errors.add("thread " + id + " round " + round + ": the device read a wrong byte at offset " + bad
                    + " of a 2-entry scatterlist");
        }
    }

    private static int firstDiff(byte[] a, byte[] b, int len) {
        for (int i = 0; i < len; i++) {
            if (a[i] != b[i]) {
                return i;
            }
        }
        return -1;
    }
}
