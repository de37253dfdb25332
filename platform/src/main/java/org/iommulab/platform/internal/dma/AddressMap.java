package org.iommulab.platform.internal.dma;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.iommulab.api.platform.MemoryRegion;
import org.iommulab.api.platform.PhysicalMemory;

/**
 * What exists in the physical address space, as the DMA API's argument checks see it: the RAM
 * of the {@link PhysicalMemory} and the MMIO regions the platform's configuration declares. A
 * streaming mapping must lie in RAM (Linux maps only memory with a {@code struct page}:
 * {@code pfn_valid}); a resource mapping ({@code dma_map_resource}, or {@code DMA_ATTR_MMIO})
 * in RAM or in one declared MMIO region. Memory that does not exist is refused before any
 * backend, table or pool is touched. The queries allocate nothing.
 */
public final class AddressMap {
    /**
     * The device region of QEMU's Arm {@code virt} machine, whose RAM layout the default memory
     * follows (RAM from 1 GiB): 128 MiB to 1 GiB, below RAM (GIC, UART, the 32-bit PCIe MMIO
     * window). Its 512 GiB high PCIe window is not declared by default: one resource mapping of
     * it would ask an IOMMU for gigabytes of page tables.
     */
    public static final List<MemoryRegion> VIRT_MMIO = List.of(new MemoryRegion(0x0800_0000L, 0x3800_0000L));

    private final PhysicalMemory memory;
    private final List<MemoryRegion> mmio;
    private final long[] mmioBase;
    private final long[] mmioEnd;

    /**
     * @param mmio the declared MMIO regions; none may overlap RAM or another
     * @throws IllegalArgumentException naming the region that overlaps
     */
    public AddressMap(PhysicalMemory memory, List<MemoryRegion> mmio) {
        if (memory == null || mmio == null) {
            throw new IllegalArgumentException("an address map needs the memory and a (possibly empty) MMIO list");
        }
        List<MemoryRegion> sorted = new ArrayList<>(mmio);
        sorted.sort((a, b) -> Long.compare(a.base(), b.base()));
        for (int i = 0; i < sorted.size(); i++) {
            MemoryRegion r = sorted.get(i);
            for (MemoryRegion ram : memory.regions()) {
                if (r.base() < ram.end() && ram.base() < r.end()) {
                    throw new IllegalArgumentException("declared MMIO region " + r + " overlaps RAM " + ram);
                }
            }
            if (i > 0 && r.base() < sorted.get(i - 1).end()) {
                throw new IllegalArgumentException("declared MMIO regions " + sorted.get(i - 1) + " and " + r + " overlap");
            }
        }
        this.memory = memory;
        this.mmio = Collections.unmodifiableList(sorted);
        this.mmioBase = new long[sorted.size()];
        this.mmioEnd = new long[sorted.size()];
        for (int i = 0; i < sorted.size(); i++) {
            mmioBase[i] = sorted.get(i).base();
            mmioEnd[i] = sorted.get(i).end();
        }
    }

    /** The memory, which is also the drivers' raw CPU view. */
    public PhysicalMemory memory() {
        return memory;
    }

    /** The declared MMIO regions, sorted. */
    public List<MemoryRegion> mmio() {
        return mmio;
    }

    /** True when {@code [phys, phys+size)} lies in one RAM region. */
    boolean isRam(long phys, long size) {
        return memory.isRam(phys, size);
    }

    /** True when {@code [phys, phys+size)} lies in one RAM region or one declared MMIO region. */
    boolean isResource(long phys, long size) {
        if (isRam(phys, size)) {
            return true;
        }
        long end = phys + size;
        if (size < 0 || end < phys) {
            return false;
        }
        for (int i = 0; i < mmioBase.length; i++) {
            if (phys >= mmioBase[i] && end <= mmioEnd[i]) {
                return true;
            }
        }
        return false;
    }

    /** "RAM [..) [..); MMIO [..)", for messages. */
    String describe() {
        StringBuilder b = new StringBuilder("RAM");
        for (MemoryRegion r : memory.regions()) {
            b.append(' ').append(r);
        }
        b.append("; declared MMIO");
        if (mmio.isEmpty()) {
            b.append(" none");
        }
        for (MemoryRegion r : mmio) {
            b.append(' ').append(r);
        }
        return b.toString();
    }

    @Override
    public String toString() {
        return "AddressMap[" + describe() + "]";
    }
}
