package org.iommulab.platform.internal.ds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;

import org.iommulab.api.config.ConfigException;
import org.junit.jupiter.api.Test;

/** Every key of {@code org.iommulab.platform} at its bounds (accepted) and past them (refused with PID, key, value and rule). */
class PlatformConfigRulesTest {

    @Test
    void theDefaultsPass() {
        PlatformConfigRules.check(Map.of());
    }

    @Test
    void everyKeyAtItsBoundsAndPastThem() {
        ok("memoryLayout", "default");
        bad("memoryLayout", "big", "one of default");
        for (String key : new String[] {"defaultDevices", "checker.enabled", "checker.recordMapSites"}) {
            ok(key, "true", "false");
            bad(key, "off", "true or false");
        }
        ok("checker.policy", "refuse", "report");
        bad("checker.policy", "ignore", "one of refuse, report");
        ok("swap.releaseTimeout", "1", "3600000");
        bad("swap.releaseTimeout", "0", "an integer 1..3600000 (decimal or 0x hex)");
        ok("mmioRegions", "0x8000000+0x38000000");
        bad("mmioRegions", "0x8000000-0x38000000", "each entry base+size in hex, size above 0, below 2^63"
                + " (0x8000000+0x38000000); '0x8000000-0x38000000' is not");
        // RAM is [1 GiB, 4 GiB) and [4 GiB, 8 GiB): a region ending at 1 GiB is outside, one byte more is inside.
        ok("mmioRegions", "0x3ffff000+0x1000", "0x200000000+0x1000");
        bad("mmioRegions", "0x3ffff000+0x1001", "base+size regions in hex outside RAM (0x40000000+0xc0000000 and"
                + " 0x100000000+0x100000000)");
        bad("mmioRegions", "0x1ffffffff+0x1000", "base+size regions in hex outside RAM (0x40000000+0xc0000000 and"
                + " 0x100000000+0x100000000)");
        ok("msi.doorbell", "0x08090040", "8090040");
        bad("msi.doorbell", "doorbell", "an address in hex (0x...)");
        ok("sim.cpus", "1", "4096");
        bad("sim.cpus", "0", "an integer 1..4096 (decimal or 0x hex)");
        ok("sim.callNanos", "0", "1000000000");
        bad("sim.callNanos", "-1", "an integer 0..1000000000 (decimal or 0x hex)");
        ok("sim.accessNanos", "0", "1000000000");
        bad("sim.accessNanos", "1000000001", "an integer 0..1000000000 (decimal or 0x hex)");
        ok("sim.picosPerByte", "0", "1000000");
        bad("sim.picosPerByte", "2.5", "an integer 0..1000000 (decimal or 0x hex)");
    }

    @Test
    void theValidatorServicesApplyTheSameRules() {
        assertThrows(ConfigException.class, () -> new PlatformConfigValidator().validate(Map.of("sim.cpus", "0")));
        new PlatformConfigValidator().validate(Map.of("sim.cpus", "4"));
        assertThrows(ConfigException.class, () -> new DeviceConfigValidator().validate(Map.of("name", "d", "dmaMaskBits", "65")));
        new DeviceConfigValidator().validate(Map.of("name", "d", "dmaMaskBits", "40"));
    }

    private static void ok(String key, String... values) {
        for (String v : values) {
            PlatformConfigRules.check(Map.of(key, v));
        }
    }

    private static void bad(String key, String value, String rule) {
        ConfigException e = assertThrows(ConfigException.class, () -> PlatformConfigRules.check(Map.of(key, value)));
        assertEquals("configuration org.iommulab.platform: " + key + "=" + value + ": " + rule, e.getMessage());
    }
}
