package org.iommulab.iommu.dma.internal.dma;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;

import org.iommulab.api.config.ConfigException;
import org.junit.jupiter.api.Test;

/**
 * Every key of {@code org.iommulab.iommu.dma} at its bounds (accepted) and past them (refused with
 * PID, key, value and rule). Linux's flush queue ring is indexed with a mask, so its size is a
 * power of two (IOVA_DEFAULT_FQ_SIZE 256, IOVA_SINGLE_FQ_SIZE 32768).
 */
class IommuDmaConfigRulesTest {

    @Test
    void theDefaultsPass() {
        IommuDmaConfigRules.check(Map.of());
    }

    @Test
    void everyKeyAtItsBoundsAndPastThem() {
        ok("mode", "strict", "lazy");
        bad("mode", "fast", "one of strict, lazy");
        ok("backendModes", "generic=lazy");
        IommuDmaConfigRules.check(Map.of("backendModes", new String[] {"generic=lazy", "smmu-v3=strict"}));
        bad("backendModes", "generic:lazy", "each entry name=strict or name=lazy; 'generic:lazy' is not");
        bad("backendModes", "generic=fast", "each entry name=strict or name=lazy; 'generic=fast' is not");
        ok("flushQueueSize", "2", "256", "1048576");
        bad("flushQueueSize", "300", "a power of two 2..1048576");
        bad("flushQueueSize", "1", "a power of two 2..1048576");
        ok("flushTimeoutMs", "1", "3600000");
        bad("flushTimeoutMs", "0", "an integer 1..3600000 (decimal or 0x hex)");
        ok("singleFlushQueue", "true", "false");
        bad("singleFlushQueue", "yes", "true or false");
        ok("forceDac", "true", "false");
        bad("forceDac", "no", "true or false");
        ok("pciWindows", "0x10000000+0x2eff0000", "10000000+1000");
        bad("pciWindows", "0x10000000", "each entry base+size in hex, size above 0, below 2^63 (0x8000000+0x38000000);"
                + " '0x10000000' is not");
        bad("pciWindows", "0x1000+0", "each entry base+size in hex, size above 0, below 2^63 (0x8000000+0x38000000);"
                + " '0x1000+0' is not");
        ok("ranking", "-1", "100");
        bad("ranking", "1.5", "an integer -2147483648..2147483647 (decimal or 0x hex)");
    }

    @Test
    void theValidatorServiceAppliesTheSameRules() {
        assertThrows(ConfigException.class, () -> new IommuDmaConfigValidator().validate(Map.of("mode", "fast")));
        new IommuDmaConfigValidator().validate(Map.of("mode", "lazy"));
    }

    private static void ok(String key, String... values) {
        for (String v : values) {
            IommuDmaConfigRules.check(Map.of(key, v));
        }
    }

    private static void bad(String key, String value, String rule) {
        ConfigException e = assertThrows(ConfigException.class, () -> IommuDmaConfigRules.check(Map.of(key, value)));
        assertEquals("configuration org.iommulab.iommu.dma: " + key + "=" + value + ": " + rule, e.getMessage());
    }
}
