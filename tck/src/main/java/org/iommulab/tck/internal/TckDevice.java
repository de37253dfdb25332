package org.iommulab.tck.internal;

import java.util.ArrayList;
import java.util.List;

import org.iommulab.api.backend.DmaDevice;
import org.iommulab.api.platform.DeviceDescriptor;
import org.iommulab.api.platform.DmaFault;
import org.iommulab.api.platform.PageAllocator;
import org.iommulab.api.platform.PhysicalMemory;

/**
 * A device the TCK hands to an IOMMU driver itself (probe, attach, translate), bypassing the
 * platform: it carries the platform's memory and allocator, as every platform device does
 * (the driver meets them at its first probe), and keeps the faults and warnings the driver
 * reports for it, so a check can count them. Thread-safe.
 */
public final class TckDevice implements DmaDevice {
    private final DeviceDescriptor descriptor;
    private final PhysicalMemory memory;
    private final PageAllocator allocator;
    private final List<DmaFault> faults = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();

    public TckDevice(DeviceDescriptor descriptor, PhysicalMemory memory, PageAllocator allocator) {
        this.descriptor = descriptor;
        this.memory = memory;
        this.allocator = allocator;
    }

    @Override
    public DeviceDescriptor descriptor() {
        return descriptor;
    }

    @Override
    public long dmaMask() {
        return descriptor.dmaMask();
    }

    @Override
    public long coherentDmaMask() {
        return descriptor.dmaMask();
    }

    @Override
    public PhysicalMemory memory() {
        return memory;
    }

    @Override
    public PageAllocator allocator() {
        return allocator;
    }

    @Override
    public synchronized void warn(String message) {
        warnings.add(message);
    }

    @Override
    public synchronized void reportFault(DmaFault fault) {
        faults.add(fault);
    }

    /** Faults reported so far. */
    public synchronized int faultCount() {
        return faults.size();
    }

    /** The most recent fault, or null. */
    public synchronized DmaFault lastFault() {
        return faults.isEmpty() ? null : faults.get(faults.size() - 1);
    }

    public synchronized List<String> warnings() {
        return new ArrayList<>(warnings);
    }

    /** The device's stream ID. */
    public int sid() {
        return descriptor.primaryStreamId();
    }

    @Override
    public String toString() {
        return "TCK device " + descriptor.name() + " (stream 0x" + Integer.toHexString(sid()) + ")";
    }
}
