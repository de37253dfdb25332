package org.iommulab.api.platform;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.iommulab.api.dma.DmaMasks;
import org.junit.jupiter.api.Test;

class DeviceDescriptorTest {

    @Test
    void defaultsFollowLinux() {
        DeviceDescriptor d = DeviceDescriptor.builder("nic0").build();
        assertEquals(DmaMasks.bits(32), d.dmaMask());
        assertEquals(65536, d.maxSegmentSize());
        assertEquals(~0L, d.segmentBoundaryMask());
        assertEquals(0, d.minAlignMask());
        assertEquals(0, d.busDmaLimit());
        assertTrue(d.coherent());
        assertTrue(d.trusted());
        assertFalse(d.pci());
        assertTrue(d.dmaRanges().isEmpty());
    }

    @Test
    void toBuilderRoundTrips() {
        DeviceDescriptor d = DeviceDescriptor.builder("disk0").streamIds(0x20, 0x21).dmaMask(DmaMasks.bits(40))
                .busDmaLimit(DmaMasks.bits(36)).coherent(false).trusted(false).pci(true).maxSegmentSize(4096)
                .segmentBoundaryMask(0xffff).minAlignMask(0xfff).dmaRange(new DmaRange(0x4000_0000L, 0, 1L << 30)).build();
        DeviceDescriptor e = d.toBuilder().build();
        assertEquals(d.toString(), e.toString());
        assertArrayEquals(new int[] {0x20, 0x21}, e.streamIds());
        assertEquals(d.dmaRanges(), e.dmaRanges());
        assertEquals(0x20, e.primaryStreamId());
    }

    @Test
    void badFieldsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> DeviceDescriptor.builder("").build());
        assertThrows(IllegalArgumentException.class, () -> DeviceDescriptor.builder("a b").build());
        assertThrows(IllegalArgumentException.class, () -> DeviceDescriptor.builder(null).build());
        assertThrows(IllegalArgumentException.class, () -> DeviceDescriptor.builder("x").streamIds().build());
        assertThrows(IllegalArgumentException.class, () -> DeviceDescriptor.builder("x").streamIds(-1).build());
        assertThrows(IllegalArgumentException.class, () -> DeviceDescriptor.builder("x").dmaMask(0).build());
        assertThrows(IllegalArgumentException.class, () -> DeviceDescriptor.builder("x").dmaMask(0x1000).build());
        assertThrows(IllegalArgumentException.class, () -> DeviceDescriptor.builder("x").busDmaLimit(5).build());
        assertThrows(IllegalArgumentException.class, () -> DeviceDescriptor.builder("x").maxSegmentSize(0).build());
        assertThrows(IllegalArgumentException.class, () -> DeviceDescriptor.builder("x").segmentBoundaryMask(0xff).build());
        assertThrows(IllegalArgumentException.class, () -> DeviceDescriptor.builder("x").minAlignMask(0x800).build());
        assertThrows(IllegalArgumentException.class, () -> DeviceDescriptor.builder("x").dmaRange(null));
        assertThrows(IllegalArgumentException.class, () -> new DmaRange(0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new MemoryRegion(-1, 10));
    }

    @Test
    void faultCarriesItsRecord() {
        DmaFault f = DmaFault.builder(FaultKind.TRANSLATION).device("nic0", 0x10).address(0x1234, AccessType.WRITE)
                .level(3).backend("smmu-v3").syndrome("EVT.ID", 0x10).syndrome("CLASS", 1).build();
        assertEquals(FaultKind.TRANSLATION, f.kind());
        assertEquals(FaultOrigin.ACCESS, f.origin());
        assertEquals(0x10L, f.syndrome().get("EVT.ID"));
        assertEquals("[EVT.ID, CLASS]", f.syndrome().keySet().toString());
        assertThrows(UnsupportedOperationException.class, () -> f.syndrome().put("X", 1L));
        DmaFaultException e = new DmaFaultException(f);
        assertEquals(f, e.fault());
        assertEquals(0, e.getStackTrace().length);
        assertTrue(e.getMessage().contains("0x1234"));
    }
}
