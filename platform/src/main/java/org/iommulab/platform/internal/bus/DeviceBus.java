package org.iommulab.platform.internal.bus;

import org.iommulab.api.admin.Stat;
import org.iommulab.api.platform.AccessType;
import org.iommulab.api.platform.DmaFault;
import org.iommulab.api.platform.DmaFaultException;
import org.iommulab.api.platform.FaultKind;
import org.iommulab.api.platform.FaultOrigin;
import org.iommulab.api.platform.PhysicalMemory;
import org.iommulab.platform.internal.device.SimDmaDevice;
import org.iommulab.platform.internal.sim.Simulation;
import org.iommulab.platform.internal.stats.StatCounters;

/**
 * The bus side of one device, shared by all its {@link DeviceBusMaster}s: the route its
 * accesses take now (null while unbound), the {@link BusGate} where they meet swaps, and the
 * memory they end in. The swap protocol sets the route; bus masters read it once per access.
 *
 * <p>Two kinds of bus master reach it: the device's own ({@link #master()}, tied to no driver:
 * the admin's, for tests and the conformance suite) and a driver's ({@link #master(Generation)},
 * handed out by that driver's DmaApi), whose accesses are refused once the driver was released.
 */
public final class DeviceBus {
    /** Backend name of faults raised while no backend serves the device. */
    public static final String NO_BACKEND = "none";

    /** What the platform does besides the fault when it refuses DMA after driver release: the checker's finding. */
    @FunctionalInterface
    public interface AfterReleaseListener {
        /** {@code fault} was raised (and reported) for an access of {@code length} bytes by a released driver. */
        void refused(Generation driver, DmaFault fault, long length);
    }

    /**
     * One driver's binding as its bus master carries it: the generation (a number that grows
     * with every DmaApi the platform publishes for the device), the backend and the counters it
     * was bound with. Immutable.
     */
    public static final class Generation {
        final long number;
        final String backend;
        final StatCounters stats;

        public Generation(long number, String backend, StatCounters stats) {
            if (number < 0 || number == BusGate.DEVICE_GENERATION || backend == null || stats == null) {
                throw new IllegalArgumentException("a driver generation needs a number, a backend and counters");
            }
            this.number = number;
            this.backend = backend;
            this.stats = stats;
        }

        public long number() {
            return number;
        }

        public String backend() {
            return backend;
        }

        /** The counters of the device on that backend. */
        public StatCounters stats() {
            return stats;
        }

        @Override
        public String toString() {
            return "generation " + number + " on " + backend;
        }
    }

    private final PhysicalMemory memory;
    private final Simulation sim;
    private final BusGate gate = new BusGate();
    private final AfterReleaseListener afterRelease;
    private volatile SimDmaDevice device;
    private volatile BusRoute route;

    /**
     * @param sim the simulation whose clock each access advances by its modelled cost
     */
    public DeviceBus(SimDmaDevice device, PhysicalMemory memory, Simulation sim, AfterReleaseListener afterRelease) {
        if (device == null || memory == null || sim == null || afterRelease == null) {
            throw new IllegalArgumentException("a device bus needs a device, memory, the simulation and a listener for DMA after release");
        }
        this.device = device;
        this.memory = memory;
        this.sim = sim;
        this.afterRelease = afterRelease;
    }

    public SimDmaDevice device() {
        return device;
    }

    /** The device object changed (its configuration did); the swap protocol calls it while the gate is closed. */
    public void device(SimDmaDevice d) {
        device = d;
    }

    public BusRoute route() {
        return route;
    }

    /** Sets where accesses go; null while the device is unbound. */
    public void route(BusRoute r) {
        route = r;
    }

    public BusGate gate() {
        return gate;
    }

    PhysicalMemory memory() {
        return memory;
    }

    /** Advances the simulated clock by the modelled cost of an access of {@code bytes} bytes. */
    void charge(long bytes) {
        sim.chargeAccess(bytes);
    }

    /** The device's own bus master (primary stream), tied to no driver: never refused as released. */
    public DeviceBusMaster master() {
        return new DeviceBusMaster(this, -1, null);
    }

    /** The bus master a driver of {@code generation} gets from its DmaApi (primary stream). */
    public DeviceBusMaster master(Generation generation) {
        if (generation == null) {
            throw new IllegalArgumentException("a driver's bus master needs its generation");
        }
        return new DeviceBusMaster(this, -1, generation);
    }

    /**
     * Reports and throws DMA after driver release: {@code driver} was released, so its access
     * reaches no memory. The fault names the backend the driver was bound to; the refusal is
     * counted there ({@link Stat#STALE_DMA_REFUSED}) and the checker is told.
     */
    DmaFaultException afterRelease(Generation driver, int streamId, long addr, long len, AccessType access) {
        SimDmaDevice d = device;
        DmaFault f = DmaFault.builder(FaultKind.DMA_AFTER_RELEASE)
                .device(d.name(), streamId)
                .address(addr, access)
                .origin(FaultOrigin.ACCESS)
                .backend(driver.backend)
                .detail(String.format("DMA after driver release: the driver of %s bound on %s (%s) was released; this "
                        + "%d-byte %s at 0x%x reaches no memory", d.name(), driver.backend, driver, len,
                        access == AccessType.WRITE ? "write" : "read", addr))
                .build();
        driver.stats.increment(Stat.STALE_DMA_REFUSED);
        d.reportFault(f);
        afterRelease.refused(driver, f, len);
        return new DmaFaultException(f);
    }

    /** Reports and throws the fault of the device's own access while its binding changes (a swap). */
    DmaFaultException blocked(int streamId, long addr, AccessType access) {
        SimDmaDevice d = device;
        BusRoute r = route;
        DmaFault f = DmaFault.builder(FaultKind.STREAM_DISABLED)
                .device(d.name(), streamId)
                .address(addr, access)
                .origin(FaultOrigin.ACCESS)
                .backend(r == null ? NO_BACKEND : r.backend)
                .detail("device " + d.name() + " is being swapped: its stream is blocked while the binding changes "
                        + "(as Linux's blocking domain); the access reaches no memory")
                .build();
        d.reportFault(f);
        return new DmaFaultException(f);
    }

    /** Reports and throws the fault of an access while no backend serves the device. */
    DmaFaultException unbound(int streamId, long addr, AccessType access) {
        SimDmaDevice d = device;
        DmaFault f = DmaFault.builder(FaultKind.STREAM_DISABLED)
                .device(d.name(), streamId)
                .address(addr, access)
                .origin(FaultOrigin.ACCESS)
                .backend(NO_BACKEND)
                .detail("device " + d.name() + " is not bound to any backend: its accesses reach nothing")
                .build();
        d.reportFault(f);
        return new DmaFaultException(f);
    }

    /**
     * Reports and throws an external abort: the backend translated {@code addr} to
     * {@code phys}, which is not RAM (the bus returns an error, as a real interconnect does).
     */
    DmaFaultException notRam(BusRoute r, int streamId, long addr, long phys, int len, AccessType access) {
        SimDmaDevice d = device;
        DmaFault f = DmaFault.builder(FaultKind.EXTERNAL_ABORT)
                .device(d.name(), streamId)
                .address(addr, access)
                .origin(FaultOrigin.ACCESS)
                .backend(r.backend)
                .detail(String.format("bus address 0x%x translated to 0x%x+%d, which is not RAM", addr, phys, len))
                .build();
        d.reportFault(f);
        return new DmaFaultException(f);
    }
}
