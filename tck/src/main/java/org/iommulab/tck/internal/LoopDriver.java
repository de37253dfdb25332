package org.iommulab.tck.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

import org.iommulab.api.dma.DmaApi;
import org.iommulab.api.dma.DmaAttrs;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.platform.DmaFaultException;
import org.iommulab.api.platform.PhysicalMemory;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.util.tracker.ServiceTracker;

/**
 * A driver that keeps its device busy while a bundle comes and goes: it follows the device's
 * DMA API service (created again on every swap), and in a loop maps a buffer, lets the device
 * read it and write it back through its bus master, unmaps it and checks every byte. Like a DS
 * driver it quiesces when its DMA API goes: the service's removal waits for the round in flight
 * (Linux's remove waits for the device), so a swap never finds a mapping left.
 */
public final class LoopDriver implements AutoCloseable {
    /** Longest a removal waits for the round in flight. */
    static final long QUIESCE_MILLIS = 3_000;

    private final PhysicalMemory memory;
    private final long buffer;
    private final int length;
    private final ServiceTracker<DmaApi, DmaApi> tracker;
    /** Fair, so that a removal waiting for the round in flight gets it before the next round. */
    private final ReentrantLock round = new ReentrantLock(true);
    private final Map<String, AtomicLong> rounds = new ConcurrentHashMap<>();
    private final List<String> errors = Collections.synchronizedList(new ArrayList<>());
    private final AtomicLong refused = new AtomicLong();
    private final Thread thread;
    private volatile DmaApi current;
    private volatile boolean running = true;

    public LoopDriver(BundleContext context, PhysicalMemory memory, String device, long buffer, int length)
            throws InvalidSyntaxException {
        this.memory = memory;
        this.buffer = buffer;
        this.length = length;
        String filter = "(&(objectClass=" + DmaApi.class.getName() + ")(" + DmaApi.DEVICE_PROPERTY + "="
                + OsgiEnvironment.escape(device) + "))";
        tracker = new ServiceTracker<>(context, FrameworkUtil.createFilter(filter), null) {
            @Override
            public DmaApi addingService(ServiceReference<DmaApi> ref) {
                DmaApi api = context.getService(ref);
                current = api;
                return api;
            }

            @Override
            public void removedService(ServiceReference<DmaApi> ref, DmaApi api) {
                boolean locked = false;
                try {
                    locked = round.tryLock(QUIESCE_MILLIS, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                try {
                    if (current == api) {
                        current = null;
                    }
                } finally {
                    if (locked) {
                        round.unlock();
                    }
                }
                context.ungetService(ref);
            }
        };
        thread = new Thread(this::loop, "tck loop driver " + device);
        thread.setDaemon(true);
    }

    public void start() {
        tracker.open();
        thread.start();
    }

    private void loop() {
        byte[] out = new byte[length];
        byte[] in = new byte[length];
        long n = 0;
        while (running) {
            DmaApi api;
            round.lock();
            try {
                api = current;
                if (api != null) {
                    runRound(api, out, in, n++);
                }
            } finally {
                round.unlock();
            }
            if (api == null) {
                sleep(2);
            }
        }
    }

    private void runRound(DmaApi api, byte[] out, byte[] in, long n) {
        String backend = api.backendName();
        for (int i = 0; i < length; i++) {
            out[i] = (byte) (n * 31 + i);
        }
        memory.write(buffer, out, 0, length);
        long dma;
        try {
            dma = api.mapPhys(buffer, length, DmaDirection.BIDIRECTIONAL, DmaAttrs.NONE);
        } catch (IllegalStateException e) {
            // DmaUsageException: the driver is being released; a stale DMA API throws too.
            refused.incrementAndGet();
            sleep(1);
            return;
        }
        if (api.mappingError(dma)) {
            errors.add("round " + n + " on " + backend + ": the mapping failed");
            return;
        }
        try {
            api.busMaster().read(dma, in, 0, length);
            if (!java.util.Arrays.equals(out, in)) {
                errors.add("round " + n + " on " + backend + ": the device read wrong bytes");
            }
            for (int i = 0; i < length; i++) {
                out[i] = (byte) ~out[i];
            }
            api.busMaster().write(dma, out, 0, length);
        } catch (DmaFaultException e) {
            errors.add("round " + n + " on " + backend + ": the device's access faulted: " + e.fault());
        } finally {
            try {
                api.unmapPhys(dma, length, DmaDirection.BIDIRECTIONAL, DmaAttrs.NONE);
            } catch (RuntimeException e) {
                errors.add("round " + n + " on " + backend + ": the unmap threw " + e);
            }
        }
        memory.read(buffer, in, 0, length);
        if (!java.util.Arrays.equals(out, in)) {
            errors.add("round " + n + " on " + backend + ": after unmap the CPU read wrong bytes");
            return;
        }
        rounds.computeIfAbsent(backend, k -> new AtomicLong()).incrementAndGet();
    }

    /** Clean rounds so far on {@code backend}. */
    public long rounds(String backend) {
        AtomicLong a = rounds.get(backend);
        return a == null ? 0 : a.get();
    }

    /** Rounds refused because the DMA API was being released: expected around a swap. */
    public long refused() {
        return refused.get();
    }

    /**
     * Waits until {@code more} clean rounds ran on {@code backend}.
     *
     * @return whether they did within {@code millis}
     */
    public boolean awaitRounds(String backend, long more, long millis) throws InterruptedException {
        long target = rounds(backend) + more;
        // Host time: a bounded wait for a real thread; not simulated behaviour.
        long deadline = System.nanoTime() + millis * 1_000_000L;
        while (rounds(backend) < target && errors.isEmpty()) {
            if (System.nanoTime() - deadline >= 0 || !thread.isAlive()) {
                return false;
            }
            Thread.sleep(2);
        }
        return rounds(backend) >= target;
    }

    /** What went wrong so far, oldest first. */
    public List<String> errors() {
        synchronized (errors) {
            return new ArrayList<>(errors);
        }
    }

    /** The backend of the DMA API the driver holds now, or null while it has none. */
    public String backend() {
        DmaApi api = current;
        return api == null ? null : api.backendName();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(5_000);
        tracker.close();
        if (thread.isAlive()) {
            errors.add("the loop did not stop within 5 s: " + thread.getState() + " at "
                    + (thread.getStackTrace().length > 0 ? thread.getStackTrace()[0] : "?"));
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
