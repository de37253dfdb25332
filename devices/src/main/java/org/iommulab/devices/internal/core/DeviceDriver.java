package org.iommulab.devices.internal.core;

import org.iommulab.api.dma.DmaApi;
import org.iommulab.api.dma.DmaUsageException;
import org.iommulab.api.platform.BusMaster;
import org.iommulab.api.platform.PageAllocator;
import org.iommulab.devices.Workload;
import org.iommulab.devices.WorkloadParams;
import org.iommulab.devices.WorkloadReport;

/**
 * A driver bound to one device through one DmaApi, for as long as that DmaApi lives: Linux's
 * probe ({@link #start()}), remove ({@link #stop()}) and, in between, its workload. The DS
 * components create one when the device's DmaApi service appears and stop it when the service
 * goes (a swap), so every driver instance serves exactly one backend. The device model gets
 * the driver's {@link #bus} ({@code DmaApi.busMaster()}), so the device's DMA carries this
 * driver's generation and is refused once the driver was released.
 *
 * <p><b>Stop during a run.</b> As Linux's remove quiesces the device before it returns,
 * {@link #stop()} waits for a run in flight to end, then releases. It does not wait long: while
 * the platform releases the driver, the run's next mapping fails at once ("being swapped"),
 * which ends the run, and no call or device access of the run waits on the swap. The one
 * exception is a stop on the run's own thread (the run made its device be swapped), which
 * leaves the release to the run on its way out.
 *
 * <p>{@link #run} never throws once its parameters passed {@link #check}: whatever goes wrong
 * (a refused call, a backend's exception) ends up in its report.
 */
public abstract class DeviceDriver implements Workload {
    protected final DmaApi api;
    /** The device's bus master as this driver holds it: hand it to the device model. */
    protected final BusMaster bus;
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
    private Thread runner;
    private boolean releaseAfterRun;

    protected DeviceDriver(String name, String description, DmaApi api, PageAllocator allocator) {
        if (name == null || api == null || allocator == null) {
            throw new IllegalArgumentException("a driver needs a workload name, its device's DmaApi and a page allocator");
        }
        this.name = name;
        this.description = description;
        this.api = api;
        this.bus = api.busMaster();
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
     * Probes the device: sets masks, allocates rings and buffers. A PCI device first enables its
     * message-signalled interrupts, as Linux PCI drivers do in probe before their first DMA
     * allocation (nvme's {@code nvme_pci_enable} calls {@code pci_alloc_irq_vectors} before
     * {@code nvme_pci_configure_admin_queue} allocates the admin queues): behind an IOMMU that maps
     * the MSI doorbell into the device's domain and takes the first IOVA. On failure everything
     * probed so far is released and the exception propagates (DS then leaves the component
     * inactive).
     */
    public final void start() {
        synchronized (state) {
            if (started) {
                throw new IllegalStateException(device + ": driver " + name + " was started already");
            }
            started = true;
        }
        try {
            if (api.device().pci()) {
                api.enableMsi();
            }
            probe();
        } catch (RuntimeException e) {
            stop();
            throw e;
        }
    }

    /**
     * Removes the driver: waits for a run in flight to end (it ends at its next refused call
     * once the platform releases the driver), then releases every mapping and buffer.
     * Idempotent. On the run's own thread, the release is left to the run instead.
     */
    public final void stop() {
        synchronized (state) {
            if (stopped) {
                return;
            }
            stopped = true;
            if (running && runner == Thread.currentThread()) {
                releaseAfterRun = true;
                return;
            }
            boolean interrupted = false;
            while (running) {
                try {
                    state.wait();
                } catch (InterruptedException e) {
                    // Remove must finish; the platform bounds how long it may take.
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
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
                runner = Thread.currentThread();
            }
            boolean release;
            boolean swapped;
            try {
                runRounds(params, report);
            } catch (DmaUsageException e) {
                // Thrown while the driver is being released ("being swapped"), by a stale DmaApi,
                // or by the checker for a misuse: either way the run is over.
                report.error("run stopped: " + e.getMessage());
            } catch (RuntimeException e) {
                // A backend's or a model's exception: the run reports it instead of throwing.
                report.error("run stopped by " + e);
            } finally {
                synchronized (state) {
                    running = false;
                    runner = null;
                    swapped = stopped;
                    release = releaseAfterRun;
                    releaseAfterRun = false;
                    state.notifyAll();
                }
            }
            if (swapped) {
                report.error(device + ": the device was swapped away from " + backend + " during the run");
            }
            if (release) {
                try {
                    release();
                } catch (RuntimeException e) {
                    report.error("release after the run failed: " + e);
                }
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
