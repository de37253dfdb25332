package org.iommulab.platform.internal.testing;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import org.iommulab.api.backend.BackendCounter;
import org.iommulab.api.backend.BackendException;
import org.iommulab.api.backend.DeviceBinding;
import org.iommulab.api.backend.DmaBackend;
import org.iommulab.api.backend.DmaDevice;
import org.iommulab.api.backend.DmaOps;
import org.iommulab.api.backend.TranslationPort;
import org.iommulab.api.dma.CoherentAllocation;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.dma.DmaMasks;
import org.iommulab.api.dma.SgTable;
import org.iommulab.api.platform.AccessType;
import org.iommulab.api.platform.DmaFault;
import org.iommulab.api.platform.DmaFaultException;
import org.iommulab.api.platform.FaultKind;
import org.iommulab.api.platform.PageAllocator;
import org.iommulab.api.platform.Zone;

/**
 * A test backend that maps by a fixed offset ({@code dma = phys + dmaOffset}; offset 0 is an
 * identity mapping) and records every call it receives, so a test can tell which backend a
 * mapping went to and check that a refused call reached no backend. Knobs make it refuse
 * devices, fail attaches, fail mappings or return a chosen map_sg status.
 */
public final class FakeBackend implements DmaBackend {
    private final String name;
    private final long dmaOffset;
    private final List<String> calls = Collections.synchronizedList(new ArrayList<>());
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
    public final Map<Long, Long> pageMap = Collections.synchronizedMap(new java.util.HashMap<>());
    /** Translations performed so far. */
    public final java.util.concurrent.atomic.AtomicLong translations = new java.util.concurrent.atomic.AtomicLong();
    /** Stream ID of the last translation. */
    public volatile int lastStreamId = -1;
    /** Counters every binding reports; absent ones read -1 ("no such thing"). */
    public final Map<BackendCounter, Long> counters = Collections.synchronizedMap(new EnumMap<>(BackendCounter.class));

    public FakeBackend(String name, long dmaOffset) {
        this.name = name;
        this.dmaOffset = dmaOffset;
    }

    /** An identity-mapping backend. */
    public FakeBackend(String name) {
        this(name, 0);
    }

    @Override
    public String name() {
        return name;
    }

    public long dmaOffset() {
        return dmaOffset;
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
        return new Binding(device);
    }

    /** The binding of one device: offset ops and an offset port. */
    private final class Binding implements DeviceBinding, DmaOps, TranslationPort {
        private final DmaDevice device;
        private final String dev;

        Binding(DmaDevice device) {
            this.device = device;
            this.dev = device.name();
        }

        @Override
        public DmaOps ops() {
            return this;
        }

        @Override
        public TranslationPort port() {
            return this;
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
            return phys + dmaOffset;
        }

        @Override
        public void unmapPhys(long dmaAddr, long size, DmaDirection dir, int attrs) {
            record(String.format("unmapPhys %s 0x%x %d %s", dev, dmaAddr, size, dir));
        }

        @Override
        public long mapResource(long phys, long size, DmaDirection dir, int attrs) {
            record(String.format("mapResource %s 0x%x %d %s", dev, phys, size, dir));
            return failMaps ? DmaMasks.MAPPING_ERROR : phys + dmaOffset;
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
                sg.setDmaSegment(0, sg.cpuPhys(0) + dmaOffset, (int) total);
                sg.setNents(1);
                return 1;
            }
            for (int i = 0; i < nents; i++) {
                sg.setDmaSegment(i, sg.cpuPhys(i) + dmaOffset, sg.cpuLength(i));
            }
            sg.setNents(nents);
            return nents;
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
            if (failCoherent) {
                return null;
            }
            long pages = (size + PageAllocator.PAGE_SIZE - 1) / PageAllocator.PAGE_SIZE;
            long phys = device.allocator().allocPages(pages, Zone.DMA32);
            device.memory().fill(phys, size, (byte) 0);
            return new CoherentAllocation(phys, phys + dmaOffset, size);
        }

        @Override
        public void freeCoherent(CoherentAllocation buffer) {
            record(String.format("freeCoherent %s 0x%x %d", dev, buffer.dmaHandle(), buffer.size()));
            device.allocator().free(buffer.cpuAddress());
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
            if (faultingPages.contains(busAddr >>> pageShift)) {
                DmaFault f = DmaFault.builder(FaultKind.TRANSLATION).device(dev, streamId).address(busAddr, access)
                        .backend(name).detail("fake fault").build();
                device.reportFault(f);
                throw new DmaFaultException(f);
            }
            Long physPage = pageMap.get(busAddr >>> pageShift);
            if (physPage != null) {
                return (physPage << pageShift) | (busAddr & ((1L << pageShift) - 1));
            }
            return busAddr - dmaOffset;
        }

        @Override
        public int pageShift() {
            return pageShift;
        }
    }

    @Override
    public String toString() {
        return "FakeBackend[" + name + "]";
    }
}
