package org.iommulab.swiotlb.internal.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;

import org.iommulab.api.config.ConfigException;
import org.junit.jupiter.api.Test;

/** Every key of {@code org.iommulab.swiotlb} and its rule, as a .cfg file gives them (strings). */
class SwiotlbPoolConfigTest {

    @Test
    void defaultsAreLinuxsSixtyFourMibAndOneAreaPerCpu() {
        SwiotlbPoolConfig c = SwiotlbPoolConfig.read(Map.of());
        assertEquals(64L << 20, c.size(), "IO_TLB_DEFAULT_SIZE");
        assertEquals(0, c.areas());
    }

    @Test
    void sizeTakesBytesHexAndKmgSuffixes() {
        assertEquals(32L << 20, SwiotlbPoolConfig.read(Map.of("size", "32M")).size(), "32 * 2^20");
        assertEquals(2048L << 10, SwiotlbPoolConfig.read(Map.of("size", "2048K")).size());
        assertEquals(1L << 30, SwiotlbPoolConfig.read(Map.of("size", "1G")).size());
        assertEquals(1L << 20, SwiotlbPoolConfig.read(Map.of("size", "0x100000")).size());
        assertEquals(3L << 20, SwiotlbPoolConfig.read(Map.of("size", "3145728")).size());
    }

    @Test
    void sizeOutsideOneMibToOneGibOrNotASizeNamesPidKeyValueAndRule() {
        for (String bad : new String[] {"2G", "1023K", "32X", "", "-1M", "M"}) {
            ConfigException e = assertThrows(ConfigException.class, () -> SwiotlbPoolConfig.read(Map.of("size", bad)), bad);
            assertEquals("org.iommulab.swiotlb", e.pid());
            assertEquals("size", e.key());
            assertEquals(bad, e.value());
            assertEquals("configuration org.iommulab.swiotlb: size=" + bad
                    + ": a size 1M..1G (bytes, or a number ending in K, M or G for KiB, MiB, GiB)", e.getMessage());
        }
    }

    @Test
    void areasIsZeroToMaxAreas() {
        assertEquals(1024, SwiotlbPoolConfig.read(Map.of("areas", "1024")).areas());
        for (String bad : new String[] {"-1", "1025", "four"}) {
            ConfigException e = assertThrows(ConfigException.class, () -> SwiotlbPoolConfig.read(Map.of("areas", bad)));
            assertEquals("configuration org.iommulab.swiotlb: areas=" + bad + ": an integer 0..1024 (decimal or 0x hex)",
                    e.getMessage());
        }
    }

    @Test
    void theValidatorServiceAppliesTheSameRules() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> new SwiotlbConfigValidator().validate(Map.of("size", "32X")));
        assertEquals("size", e.key());
        new SwiotlbConfigValidator().validate(Map.of("size", "32M", "areas", "4"));
    }
}
