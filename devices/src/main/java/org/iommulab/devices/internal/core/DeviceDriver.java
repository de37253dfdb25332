package org.iommulab.devices.internal.core;

import org.iommulab.api.dma.DmaApi;
import org.iommulab.api.dma.DmaUsageException;
import org.iommulab.api.platform.PageAllocator;
import org.iommulab.devices.Workload;
import org.iommulab.devices.WorkloadParams;
import org.iommulab.devices.WorkloadReport;

/**
 * A driver bound to one device through one DmaApi, for as long as that DmaApi lives: Linux's
 * probe ({@link #start()}), remove ({@link #stop()}) and, in between, its workload. The DS
 * components create one when the device's DmaApi service appears and stop it when the service
 * goes (a swap), so every driver instance serves exactly one backend.
 *
 * <p><b>Stop during a run.</b> A swap stops the driver on the swapping thread while that thread
 * holds the device's gate, so {@link #stop()} must never wait for a run (the run may itself wait
 * at the gate for a mapping). If a run is in flight, the run releases the driver's resources on
 * its way out instead; whatever it can no longer release through its now stale DmaApi the
 * platform has reclaimed (and reported) as a leak. The run ends with an error saying so.
 */
public abstract class DeviceDriver implements Workload {
    protected final DmaApi api;
    protected final PageAllocator allocator;
    private final String name;
    private final String description;
    private final String device;
    private final String backend;
    private final Object runLock = new Object();
    private final Object state = new Object();
    private boolean started;
    private boolean stopped;
    private boolean running;
    private boolean releaseAfterRun;

    protected DeviceDriver(String name, String description, DmaApi api, PageAllocator allocator) {
        if (name == null || api == null || allocator == null) {
            throw new IllegalArgumentException("a driver needs a workload name, its device's DmaApi and a page allocator");
        }
        this.name = name;
        this.description = description;
        this.api = api;
        this.allocator = allocator;
        this.device = api.device().name();
        this.backend = api.backendName();
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final String deviceName() {
        return device;
    }

    @Override
    public final String description() {
        return description;
    }

    /** The backend this driver instance maps through. */
    public final String backendName() {
        return backend;
    }

    /**
     * Probes the device: sets masks, allocates rings and buffers. On failure everything probed
     * so far is released and the exception propagates (DS then leaves the component inactive).
     */
    public final void start() {
        synchronized (state) {
            if (started) {
                throw new IllegalStateException(device + ": driver " + name + " was started already");
            }
            started = true;
        }
        try {
            probe();
        } catch (RuntimeException e) {
            stop();
            throw e;
        }
    }

    /** Removes the driver: releases every mapping and buffer, now or at the end of a run in flight. Idempotent. */
    public final void stop() {
        synchronized (state) {
            if (stopped) {
                return;
            }
            stopped = true;
            if (running) {
                releaseAfterRun = true;
                return;
            }
        }
        release();
    }

    /** True once {@link #stop()} was called. */
    public final boolean isStopped() {
        synchronized (state) {
            return stopped;
        }
    }

    @Override
    public final void check(WorkloadParams params) {
        if (params == null) {
            throw new IllegalArgumentException("workload parameters must not be null");
        }
        checkParams(params);
    }

    @Override
    public final WorkloadReport run(WorkloadParams params) {
        check(params);
        WorkloadReport.Builder report = WorkloadReport.builder(name, device, backend);
        synchronized (runLock) {
            synchronized (state) {
                if (stopped || !started) {
                    return report.error(device + ": driver " + name + " on " + backend
                            + " is not bound (released by a swap, or never probed); look the workload up again").build();
                }
                running = true;
            }
            boolean release;
            try {
                runRounds(params, report);
            } catch (DmaUsageException e) {
                // Thrown by a stale DmaApi after a swap, or by the checker for a misuse: either way the run is over.
                report.error("run stopped: " + e.getMessage());
            } catch (RuntimeException e) {
                // A swap released the driver under the run: the platform reclaimed what the run
                // still held (an sg table it was walking is unmapped, say), so the run may trip
                // over it anywhere. That is the swap's doing, reported as such; without a swap
                // it is a bug of the driver and propagates.
                synchronized (state) {
                    if (!releaseAfterRun) {
                        throw e;
                    }
                }
                report.error("run stopped: " + device + " was swapped away during the run: " + e);
            } finally {
                synchronized (state) {
                    running = false;
                    release = releaseAfterRun;
                    releaseAfterRun = false;
                }
            }
            if (release) {
                report.error(device + ": the device was swapped away from " + backend + " during the run");
                release();
            }
        }
        return report.build();
    }

    /** Rejects parameters this workload cannot use, before anything is touched. */
    protected void checkParams(WorkloadParams params) {
    }

    /** Linux probe: takes what the driver holds between runs. */
    protected abstract void probe();

    /** Runs {@code params.rounds()} rounds into {@code report}; counts failures rather than throwing them. */
    protected abstract void runRounds(WorkloadParams params, WorkloadReport.Builder report);

    /** Linux remove: gives back everything {@link #probe()} took; must tolerate a partial probe and a stale DmaApi. */
    protected abstract void release();

    @Override
    public String toString() {
        return name + " driver of " + device + " on " + backend;
    }
}
