package org.iommulab.testkit;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

import org.iommulab.api.backend.BackendCounter;
import org.iommulab.api.backend.BackendException;
import org.iommulab.api.backend.DeviceBinding;
import org.iommulab.api.backend.DmaDevice;
import org.iommulab.api.dma.CoherentAllocation;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.dma.DmaMasks;
import org.iommulab.api.dma.SgTable;
import org.iommulab.api.platform.AccessType;
import org.iommulab.api.platform.DmaFault;
import org.iommulab.api.platform.DmaFaultException;
import org.iommulab.api.platform.FaultKind;

/**
 * An {@link IdentityBackend} (a fixed offset, 0 for identity) that records every call it
 * receives, so a test can tell which backend a mapping went to and check that a refused call
 * reached no backend. Knobs make it refuse devices, fail attaches, fail mappings or coherent
 * allocations, return a chosen map_sg status, merge sg lists as an IOMMU would, narrow the
 * masks it supports, fault or remap chosen bus pages, and report chosen counters. Its
 * {@code requiredMask} (33 bits) and {@code optMappingSize} (1 MiB) are distinct values so a
 * test can see them pass through the platform.
 *
 * <p>Thread safety: safe to call and to configure from any thread. The knobs are volatile or
 * synchronized collections and take effect on the next call; {@link #calls()} is a snapshot.
 */
public final class RecordingBackend extends IdentityBackend {
    private final List<String> calls = Collections.synchronizedList(new ArrayList<>());
    /** Which devices it accepts; all by default. */
    public volatile Predicate<DmaDevice> accepts = d -> true;
    /** When set, attach throws a BackendException with this message. */
    public volatile String attachFailure;
    /** When set, mapSg returns this instead of mapping. */
    public volatile Integer sgStatus;
    /** When true, mapSg merges every entry into one DMA segment (an IOMMU's behaviour). */
    public volatile boolean mergeSg;
    /** When true, mapPhys and mapResource return the mapping error. */
    public volatile boolean failMaps;
    /** When true, allocCoherent returns null. */
    public volatile boolean failCoherent;
    /** Run inside every attach, before it returns (a test's look at the device in the middle of a swap). */
    public volatile Runnable onAttach = () -> { };
    /** Run inside every mapPhys, before it maps (a call in flight in the backend). */
    public volatile Runnable onMapPhys = () -> { };
    /** What maxMappingSize() answers (Linux dma_max_mapping_size). */
    public volatile long maxMappingSize = Long.MAX_VALUE;
    /** dmaSupported(mask) holds for masks at least this wide. */
    public volatile long minSupportedMask = 1;
    /** Translation block shift of the port. */
    public volatile int pageShift = 12;
    /** Bus pages (bus >>> pageShift) whose translation faults. */
    public final List<Long> faultingPages = Collections.synchronizedList(new ArrayList<>());
    /** Bus page -> physical page overrides of the offset translation (page numbers in pageShift units). */
    public final Map<Long, Long> pageMap = Collections.synchronizedMap(new HashMap<>());
    /** Translations performed so far. */
    public final AtomicLong translations = new AtomicLong();
    /** Stream ID of the last translation. */
    public volatile int lastStreamId = -1;
    /** Counters every binding reports; absent ones read -1 ("no such thing"). */
    public final Map<BackendCounter, Long> counters = Collections.synchronizedMap(new EnumMap<>(BackendCounter.class));

    public RecordingBackend(String name, long dmaOffset) {
        super(name, dmaOffset);
    }

    /** An identity-mapping backend. */
    public RecordingBackend(String name) {
        this(name, 0);
    }

    /** Every call so far, oldest first, as "op device args". */
    public List<String> calls() {
        synchronized (calls) {
            return new ArrayList<>(calls);
        }
    }

    /** Calls whose text starts with {@code prefix}. */
    public List<String> calls(String prefix) {
        List<String> out = new ArrayList<>();
        for (String c : calls()) {
            if (c.startsWith(prefix)) {
                out.add(c);
            }
        }
        return out;
    }

    private void record(String call) {
        calls.add(call);
    }

    @Override
    public boolean accepts(DmaDevice device) {
        return accepts.test(device);
    }

    @Override
    public DeviceBinding attach(DmaDevice device) throws BackendException {
        record("attach " + device.name());
        if (attachFailure != null) {
            throw new BackendException(attachFailure);
        }
        onAttach.run();
        return new Recording(device);
    }

    /** The binding of one device: the offset mapping, every call recorded first. */
    private final class Recording extends Binding {
        private final String dev;

        Recording(DmaDevice device) {
            super(device);
            this.dev = device.name();
        }

        @Override
        public long counter(BackendCounter counter) {
            Long v = counters.get(counter);
            return v == null ? -1 : v;
        }

        @Override
        public void detach() {
            record("detach " + dev);
        }

        @Override
        public long mapPhys(long phys, long size, DmaDirection dir, int attrs) {
            record(String.format("mapPhys %s 0x%x %d %s", dev, phys, size, dir));
            onMapPhys.run();
            if (failMaps) {
                device.warn(String.format("DMA addr 0x%x+%d overflow (fake)", phys, size));
                return DmaMasks.MAPPING_ERROR;
            }
            return super.mapPhys(phys, size, dir, attrs);
        }

        @Override
        public void unmapPhys(long dmaAddr, long size, DmaDirection dir, int attrs) {
            record(String.format("unmapPhys %s 0x%x %d %s", dev, dmaAddr, size, dir));
        }

        @Override
        public long mapResource(long phys, long size, DmaDirection dir, int attrs) {
            record(String.format("mapResource %s 0x%x %d %s", dev, phys, size, dir));
            return failMaps ? DmaMasks.MAPPING_ERROR : super.mapResource(phys, size, dir, attrs);
        }

        @Override
        public void unmapResource(long dmaAddr, long size, DmaDirection dir, int attrs) {
            record(String.format("unmapResource %s 0x%x %d %s", dev, dmaAddr, size, dir));
        }

        @Override
        public int mapSg(SgTable sg, int nents, DmaDirection dir, int attrs) {
            record(String.format("mapSg %s %d %s", dev, nents, dir));
            Integer status = sgStatus;
            if (status != null) {
                return status;
            }
            if (mergeSg) {
                long total = 0;
                for (int i = 0; i < nents; i++) {
                    total += sg.cpuLength(i);
                }
                sg.setDmaSegment(0, sg.cpuPhys(0) + dmaOffset(), (int) total);
                sg.setNents(1);
                return 1;
            }
            return super.mapSg(sg, nents, dir, attrs);
        }

        @Override
        public void unmapSg(SgTable sg, int nents, DmaDirection dir, int attrs) {
            record(String.format("unmapSg %s %d %s", dev, nents, dir));
        }

        @Override
        public void syncSingleForCpu(long dmaAddr, long size, DmaDirection dir) {
            record(String.format("syncSingleForCpu %s 0x%x %d %s", dev, dmaAddr, size, dir));
        }

        @Override
        public void syncSingleForDevice(long dmaAddr, long size, DmaDirection dir) {
            record(String.format("syncSingleForDevice %s 0x%x %d %s", dev, dmaAddr, size, dir));
        }

        @Override
        public void syncSgForCpu(SgTable sg, int nents, DmaDirection dir) {
            record(String.format("syncSgForCpu %s %d %s", dev, nents, dir));
        }

        @Override
        public void syncSgForDevice(SgTable sg, int nents, DmaDirection dir) {
            record(String.format("syncSgForDevice %s %d %s", dev, nents, dir));
        }

        @Override
        public CoherentAllocation allocCoherent(long size, int attrs) {
            record(String.format("allocCoherent %s %d", dev, size));
            return failCoherent ? null : super.allocCoherent(size, attrs);
        }

        @Override
        public void freeCoherent(CoherentAllocation buffer) {
            record(String.format("freeCoherent %s 0x%x %d", dev, buffer.dmaHandle(), buffer.size()));
            super.freeCoherent(buffer);
        }

        @Override
        public boolean dmaSupported(long mask) {
            record(String.format("dmaSupported %s 0x%x", dev, mask));
            return Long.compareUnsigned(mask, minSupportedMask) >= 0;
        }

        @Override
        public long requiredMask() {
            return DmaMasks.bits(33);
        }

        @Override
        public long maxMappingSize() {
            return maxMappingSize;
        }

        @Override
        public long optMappingSize() {
            return 1 << 20;
        }

        @Override
        public long translate(int streamId, long busAddr, AccessType access) {
            translations.incrementAndGet();
            lastStreamId = streamId;
            int shift = pageShift;
            if (faultingPages.contains(busAddr >>> shift)) {
                DmaFault f = DmaFault.builder(FaultKind.TRANSLATION).device(dev, streamId).address(busAddr, access)
                        .backend(name()).detail("fake fault").build();
                device.reportFault(f);
                throw new DmaFaultException(f);
            }
            Long physPage = pageMap.get(busAddr >>> shift);
            if (physPage != null) {
                return (physPage << shift) | (busAddr & ((1L << shift) - 1));
            }
            return super.translate(streamId, busAddr, access);
        }

        @Override
        public int pageShift() {
            return pageShift;
        }
    }
}
