package org.iommulab.platform.internal.device;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import org.iommulab.api.backend.DmaDevice;
import org.iommulab.api.platform.DeviceDescriptor;
import org.iommulab.api.platform.DmaFault;
import org.iommulab.api.platform.PageAllocator;
import org.iommulab.api.platform.PhysicalMemory;

/**
 * A device as the platform hands it to backends: its descriptor, the masks its driver set
 * (initially the descriptor's), and bounded histories of the warnings and faults backends
 * reported for it, which are also forwarded to the sinks the platform passes in. Plain class,
 * used by the platform and built directly by backends' unit tests.
 */
public final class SimDmaDevice implements DmaDevice {
    /** How many warnings and faults the device keeps for inspection. */
    static final int HISTORY = 1000;

    private final DeviceDescriptor descriptor;
    private final PhysicalMemory memory;
    private final PageAllocator allocator;
    private final Consumer<String> warnSink;
    private final Consumer<DmaFault> faultSink;
    private final ArrayDeque<String> warnings = new ArrayDeque<>();
    private final ArrayDeque<DmaFault> faults = new ArrayDeque<>();
    private volatile long dmaMask;
    private volatile long coherentDmaMask;

    /** A device whose reports are only kept here. */
    public SimDmaDevice(DeviceDescriptor descriptor, PhysicalMemory memory, PageAllocator allocator) {
        this(descriptor, memory, allocator, w -> { }, f -> { });
    }

    /** A device whose reports are kept here and forwarded to the platform's sinks. */
    public SimDmaDevice(DeviceDescriptor descriptor, PhysicalMemory memory, PageAllocator allocator,
            Consumer<String> warnSink, Consumer<DmaFault> faultSink) {
        if (descriptor == null || memory == null || allocator == null || warnSink == null || faultSink == null) {
            throw new IllegalArgumentException("device, memory, allocator and sinks must not be null");
        }
        this.descriptor = descriptor;
        this.memory = memory;
        this.allocator = allocator;
        this.warnSink = warnSink;
        this.faultSink = faultSink;
        this.dmaMask = descriptor.dmaMask();
        this.coherentDmaMask = descriptor.dmaMask();
    }

    @Override
    public DeviceDescriptor descriptor() {
        return descriptor;
    }

    @Override
    public long dmaMask() {
        return dmaMask;
    }

    @Override
    public long coherentDmaMask() {
        return coherentDmaMask;
    }

    /** Sets the streaming mask; the DMA API has validated it. */
    public void setDmaMask(long mask) {
        dmaMask = mask;
    }

    /** Sets the coherent mask; the DMA API has validated it. */
    public void setCoherentDmaMask(long mask) {
        coherentDmaMask = mask;
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
    public void warn(String message) {
        String line = descriptor.name() + ": " + message;
        synchronized (warnings) {
            if (warnings.size() == HISTORY) {
                warnings.removeFirst();
            }
            warnings.addLast(line);
        }
        warnSink.accept(line);
    }

    @Override
    public void reportFault(DmaFault fault) {
        synchronized (faults) {
            if (faults.size() == HISTORY) {
                faults.removeFirst();
            }
            faults.addLast(fault);
        }
        faultSink.accept(fault);
    }

    /** The most recent warnings, oldest first, each prefixed with the device name. */
    public List<String> warnings() {
        synchronized (warnings) {
            return new ArrayList<>(warnings);
        }
    }

    /** The most recent faults, oldest first. */
    public List<DmaFault> faults() {
        synchronized (faults) {
            return new ArrayList<>(faults);
        }
    }

    @Override
    public String toString() {
        return descriptor.name();
    }
}
