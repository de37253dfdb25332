package org.iommulab.iommu.generic.internal.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.iommulab.api.config.ConfigException;
import org.iommulab.api.iommu.IommuResvRegion;
import org.junit.jupiter.api.Test;

/**
 * Every key of {@code org.iommulab.iommu.generic} at its bounds (accepted) and past them (refused
 * with PID, key, value and rule): a device table of 2^1..2^16 entries (16 bits cover every PCI
 * requester ID), LPAE input addresses 32..48 bits, output sizes in the LPAE steps.
 */
class GenericIommuConfigRulesTest {

    @Test
    void theDefaultsPassAndGiveArm64sSoftwareMsiWindow() {
        assertEquals(List.of(IommuResvRegion.swMsi(0x8000000L, 0x100000L)), GenericIommuConfigRules.check(Map.of()));
    }

    @Test
    void everyKeyAtItsBoundsAndPastThem() {
        ok("streamIdBits", "1", "16");
        bad("streamIdBits", "17", "an integer 1..16 (decimal or 0x hex)");
        ok("inputAddressBits", "32", "48");
        bad("inputAddressBits", "31", "an integer 32..48 (decimal or 0x hex)");
        ok("outputAddressBits", "32", "36", "40", "42", "44", "48");
        bad("outputAddressBits", "46", "one of 32, 36, 40, 42, 44, 48");
        ok("iotlbEntries", "1", "1048576");
        bad("iotlbEntries", "1048577", "an integer 1..1048576 (decimal or 0x hex)");
        ok("faultLogSize", "1", "1048576");
        bad("faultLogSize", "0", "an integer 1..1048576 (decimal or 0x hex)");
        ok("privilegedAccesses", "true", "false");
        bad("privilegedAccesses", "maybe", "true or false");
        ok("reservedRegions", "msi 0x8000000+0x100000", "reserved 0x0+0x1000");
        ConfigException e = assertThrows(ConfigException.class,
                () -> GenericIommuConfigRules.check(Map.of("reservedRegions", "msi 0x8000000")));
        assertTrue(e.getMessage().startsWith("configuration org.iommulab.iommu.generic: reservedRegions=msi 0x8000000: each entry"
                + " 'type base+size' in hex"), e.getMessage());
        e = assertThrows(ConfigException.class,
                () -> GenericIommuConfigRules.check(Map.of("reservedRegions", new String[] {"sw-msi 0x8000000+0x100000", "bogus 0+1"})));
        assertEquals("reservedRegions", e.key());
        assertEquals("sw-msi 0x8000000+0x100000,bogus 0+1", e.value());
    }

    @Test
    void theValidatorServiceAppliesTheSameRules() {
        assertThrows(ConfigException.class, () -> new GenericIommuConfigValidator().validate(Map.of("streamIdBits", "0")));
        new GenericIommuConfigValidator().validate(Map.of("streamIdBits", "8"));
    }

    private static void ok(String key, String... values) {
        for (String v : values) {
            GenericIommuConfigRules.check(Map.of(key, v));
        }
    }

    private static void bad(String key, String value, String rule) {
        ConfigException e = assertThrows(ConfigException.class, () -> GenericIommuConfigRules.check(Map.of(key, value)));
        assertEquals("configuration org.iommulab.iommu.generic: " + key + "=" + value + ": " + rule, e.getMessage());
    }
}
