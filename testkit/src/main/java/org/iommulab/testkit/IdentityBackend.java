package org.iommulab.testkit;

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
import org.iommulab.api.platform.PageAllocator;
import org.iommulab.api.platform.Zone;

/**
 * The smallest working backend, for tests that need a device bound to something real enough
 * to map through but are not about the backend: dma-direct without swiotlb, shifted by a fixed
 * offset ({@code dma = phys + dmaOffset}; offset 0, the default, is an identity mapping). It
 * accepts every device, never merges sg entries (one DMA segment per CPU entry), takes coherent
 * memory from the device's page allocator below 4 GiB (zeroed, as {@code dma_alloc_coherent}
 * returns it), and its translation port undoes the offset. It counts nothing
 * ({@link DeviceBinding#counter} is -1 for every counter).
 *
 * <p>It records nothing and allocates nothing per call (one {@link Binding} per attach), so
 * tests that count the platform's own allocations on the hot path can bind to it.
 * {@link RecordingBackend} is the same mapping with every call recorded and knobs to make it
 * fail.
 *
 * <p>Thread safety: immutable, and its bindings keep no state of their own; safe to call from
 * any thread. Coherent allocations are as thread-safe as the device's allocator.
 */
public class IdentityBackend implements DmaBackend {
    private final String name;
    private final long dmaOffset;

    /** An identity-mapping backend ({@code dma == phys}). */
    public IdentityBackend(String name) {
        this(name, 0);
    }

    /** A backend mapping {@code phys} to {@code phys + dmaOffset}. */
    public IdentityBackend(String name, long dmaOffset) {
        this.name = name;
        this.dmaOffset = dmaOffset;
    }

    @Override
    public String name() {
        return name;
    }

    /** What is added to a physical address to make its DMA address. */
    public long dmaOffset() {
        return dmaOffset;
    }

    @Override
    public boolean accepts(DmaDevice device) {
        return true;
    }

    @Override
    public DeviceBinding attach(DmaDevice device) throws BackendException {
        return new Binding(device);
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + name + "]";
    }

    /**
     * One device's binding: it is its own ops and its own translation port. Subclasses override
     * a method to record or refuse and call {@code super} for the mapping itself.
     */
    public class Binding implements DeviceBinding, DmaOps, TranslationPort {
        /** The device this binding serves. */
        protected final DmaDevice device;

        protected Binding(DmaDevice device) {
            this.device = device;
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
            return -1;
        }

        @Override
        public void detach() {
        }

        @Override
        public long mapPhys(long phys, long size, DmaDirection dir, int attrs) {
            return phys + dmaOffset;
        }

        @Override
        public void unmapPhys(long dmaAddr, long size, DmaDirection dir, int attrs) {
        }

        @Override
        public long mapResource(long phys, long size, DmaDirection dir, int attrs) {
            return phys + dmaOffset;
        }

        @Override
        public void unmapResource(long dmaAddr, long size, DmaDirection dir, int attrs) {
        }

        @Override
        public int mapSg(SgTable sg, int nents, DmaDirection dir, int attrs) {
            for (int i = 0; i < nents; i++) {
                sg.setDmaSegment(i, sg.cpuPhys(i) + dmaOffset, sg.cpuLength(i));
            }
            sg.setNents(nents);
            return nents;
        }

        @Override
        public void unmapSg(SgTable sg, int nents, DmaDirection dir, int attrs) {
        }

        @Override
        public void syncSingleForCpu(long dmaAddr, long size, DmaDirection dir) {
        }

        @Override
        public void syncSingleForDevice(long dmaAddr, long size, DmaDirection dir) {
        }

        @Override
        public void syncSgForCpu(SgTable sg, int nents, DmaDirection dir) {
        }

        @Override
        public void syncSgForDevice(SgTable sg, int nents, DmaDirection dir) {
        }

        @Override
        public CoherentAllocation allocCoherent(long size, int attrs) {
            long pages = (size + PageAllocator.PAGE_SIZE - 1) / PageAllocator.PAGE_SIZE;
            long phys = device.allocator().allocPages(pages, Zone.DMA32);
            if (phys == PageAllocator.NO_MEMORY) {
                return null;
            }
            device.memory().fill(phys, size, (byte) 0);
            return new CoherentAllocation(phys, phys + dmaOffset, size);
        }

        @Override
        public void freeCoherent(CoherentAllocation buffer) {
            device.allocator().free(buffer.cpuAddress());
        }

        @Override
        public boolean dmaSupported(long mask) {
            return true;
        }

        @Override
        public long requiredMask() {
            return DmaMasks.bits(64);
        }

        /** No limit: dma-direct without swiotlb ({@code dma_direct_max_mapping_size}). */
        @Override
        public long maxMappingSize() {
            return Long.MAX_VALUE;
        }

        /** No preference either: {@code dma_opt_mapping_size} falls back to the maximum. */
        @Override
        public long optMappingSize() {
            return Long.MAX_VALUE;
        }

        @Override
        public long translate(int streamId, long busAddr, AccessType access) {
            return busAddr - dmaOffset;
        }

        @Override
        public int pageShift() {
            return 12;
        }
    }
}
