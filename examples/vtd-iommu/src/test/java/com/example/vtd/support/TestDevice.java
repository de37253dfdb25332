package com.example.vtd.support;

import java.util.ArrayList;
import java.util.List;

import org.iommulab.api.backend.DmaDevice;
import org.iommulab.api.platform.DeviceDescriptor;
import org.iommulab.api.platform.DmaFault;
import org.iommulab.api.platform.PageAllocator;
import org.iommulab.api.platform.PhysicalMemory;

/** A device as the platform hands it to a backend, recording the faults and messages it gets. */
public final class TestDevice implements DmaDevice {
    private final DeviceDescriptor descriptor;
    private final PhysicalMemory memory;
    private final PageAllocator allocator;
    public final List<DmaFault> faults = new ArrayList<>();
    public final List<String> warnings = new ArrayList<>();

    public TestDevice(String name, PhysicalMemory memory, PageAllocator allocator, int... streamIds) {
        this.descriptor = DeviceDescriptor.builder(name).streamIds(streamIds).dmaMask(-1L).build();
        this.memory = memory;
        this.allocator = allocator;
    }

    @Override
    public DeviceDescriptor descriptor() {
        return descriptor;
    }

    @Override
    public long dmaMask() {
        return -1L;
    }

    @Override
    public long coherentDmaMask() {
        return -1L;
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
}
