package org.iommulab.platform.internal.ds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.iommulab.api.platform.MemoryRegion;
import org.iommulab.platform.internal.core.PlatformSettings;
import org.iommulab.platform.internal.dma.AddressMap;
import org.iommulab.platform.internal.memory.SparsePhysicalMemory;
import org.junit.jupiter.api.Test;

/** The platform configuration's swap bound and declared MMIO regions. */
class PlatformConfigParsingTest {
    @Test
    void mmioRegionsAreBasePlusSizeInHex() {
        assertEquals(List.of(new MemoryRegion(0x800_0000L, 0x3800_0000L), new MemoryRegion(0x80_0000_0000L, 0x1000L)),
                PlatformComponent.mmioRegions(new String[] {"0x8000000+0x38000000", " 80_0000_0000 + 1000 ", ""}));
        assertEquals(List.of(), PlatformComponent.mmioRegions(null));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PlatformComponent.mmioRegions(new String[] {"0x1000"}));
        assertTrue(e.getMessage().contains("mmioRegions entry '0x1000' is not base+size in hex"), e.getMessage());
    }

    @Test
    void theDefaultsAreAFewSecondsAndVirtsDeviceRegion() {
        assertEquals(5000, PlatformSettings.DEFAULT.releaseTimeoutMillis());
        assertEquals(AddressMap.VIRT_MMIO, PlatformSettings.DEFAULT.mmio());
        assertThrows(IllegalArgumentException.class, () -> new PlatformSettings(0, List.of()));
    }

    @Test
    void declaredMmioMayNotOverlapRam() {
        SparsePhysicalMemory ram = SparsePhysicalMemory.defaultLayout();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new AddressMap(ram, List.of(new MemoryRegion(0x3000_0000L, 0x2000_0000L))));
        assertTrue(e.getMessage().contains("overlaps RAM"), e.getMessage());
    }
}
