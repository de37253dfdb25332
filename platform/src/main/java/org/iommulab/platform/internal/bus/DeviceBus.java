package org.iommulab.platform.internal.bus;

import org.iommulab.api.platform.AccessType;
import org.iommulab.api.platform.DmaFault;
import org.iommulab.api.platform.DmaFaultException;
import org.iommulab.api.platform.FaultKind;
import org.iommulab.api.platform.FaultOrigin;
import org.iommulab.api.platform.PhysicalMemory;
import org.iommulab.platform.internal.device.SimDmaDevice;
import org.iommulab.platform.internal.device.SwapGate;

/**
 * The bus side of one device, shared by all its {@link DeviceBusMaster}s: the route its
 * accesses take now (null while unbound), the gate that holds them while the binding changes,
 * and the memory they end in. The swap protocol sets the route; bus masters read it once per
 * access.
 */
public final class DeviceBus {
    /** Backend name of faults raised while no backend serves the device. */
    public static final String NO_BACKEND = "none";

    private final PhysicalMemory memory;
    private final SwapGate gate;
    private volatile SimDmaDevice device;
    private volatile BusRoute route;

    public DeviceBus(SimDmaDevice device, PhysicalMemory memory, SwapGate gate) {
        if (device == null || memory == null || gate == null) {
            throw new IllegalArgumentException("a device bus needs a device, memory and a gate");
        }
        this.device = device;
        this.memory = memory;
        this.gate = gate;
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

    public SwapGate gate() {
        return gate;
    }

    PhysicalMemory memory() {
        return memory;
    }

    /** The bus master of the device's primary stream. */
    public DeviceBusMaster master() {
        return new DeviceBusMaster(this, -1);
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
