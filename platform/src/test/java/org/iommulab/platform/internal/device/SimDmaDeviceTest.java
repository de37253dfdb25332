package org.iommulab.platform.internal.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;

import org.iommulab.api.platform.DeviceDescriptor;
import org.iommulab.api.platform.DmaFault;
import org.iommulab.api.platform.FaultKind;
import org.iommulab.platform.internal.memory.SparsePhysicalMemory;
import org.iommulab.platform.internal.memory.ZonedPageAllocator;
import org.junit.jupiter.api.Test;

class SimDmaDeviceTest {
    private final SparsePhysicalMemory mem = SparsePhysicalMemory.defaultLayout();
    private final ZonedPageAllocator alloc = new ZonedPageAllocator(mem);

    @Test
    void masksStartFromTheDescriptorAndReportsAreKeptAndForwarded() {
        List<String> warned = new ArrayList<>();
        List<DmaFault> faulted = new ArrayList<>();
        SimDmaDevice d = new SimDmaDevice(DeviceDescriptor.builder("nic0").dmaMask(0xffff_ffffL).build(), mem, alloc,
                warned::add, faulted::add);
        assertEquals(0xffff_ffffL, d.dmaMask());
        assertEquals(0xffff_ffffL, d.coherentDmaMask());
        d.setDmaMask(~0L);
        assertEquals(~0L, d.dmaMask());
        d.warn("swiotlb buffer is full");
        assertEquals(List.of("nic0: swiotlb buffer is full"), d.warnings());
        assertEquals(d.warnings(), warned);
        DmaFault f = DmaFault.builder(FaultKind.TRANSLATION).device("nic0", 0).build();
        d.reportFault(f);
        assertEquals(List.of(f), d.faults());
        assertEquals(List.of(f), faulted);
        assertEquals("nic0", d.name());
    }

    @Test
    void historyIsBounded() {
        SimDmaDevice d = new SimDmaDevice(DeviceDescriptor.builder("x").build(), mem, alloc);
        for (int i = 0; i < SimDmaDevice.HISTORY + 5; i++) {
            d.warn("w" + i);
        }
        assertEquals(SimDmaDevice.HISTORY, d.warnings().size());
        assertEquals("x: w5", d.warnings().get(0));
    }

    @Test
    void nullsAreRejected() {
        DeviceDescriptor desc = DeviceDescriptor.builder("x").build();
        assertThrows(IllegalArgumentException.class, () -> new SimDmaDevice(null, mem, alloc));
        assertThrows(IllegalArgumentException.class, () -> new SimDmaDevice(desc, null, alloc));
        assertThrows(IllegalArgumentException.class, () -> new SimDmaDevice(desc, mem, alloc, null, f -> { }));
    }
}
