package org.iommulab.smmu.v3.internal.ds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;

import org.iommulab.api.config.ConfigException;
import org.junit.jupiter.api.Test;

/**
 * Every key of {@code org.iommulab.smmu.v3} with a value at each end of its rule (accepted) and
 * one past it (refused with PID, key, value and rule), as strings, as a .cfg file gives them.
 * The bounds are the SMMUv3 ID register fields' (IHI 0070 6.3): SIDSIZE of which the model
 * takes 24 bits, SSIDSIZE 0..20, CMDQS and EVENTQS at most 19, OAS 32/36/40/42/44/48.
 */
class SmmuV3ConfigRulesTest {

    @Test
    void theDefaultsPass() {
        SmmuV3ConfigRules.check(Map.of());
    }

    @Test
    void everyKeyAtItsBoundsAndPastThem() {
        ok("stage", "1", "2", "nested");
        bad("stage", "3", "one of 1, 2, nested");
        ok("streamTableFormat", "2level", "linear");
        bad("streamTableFormat", "3level", "one of 2level, linear");
        ok("sidBits", "1", "24");
        bad("sidBits", "25", "an integer 1..24 (decimal or 0x hex)");
        bad("sidBits", "0", "an integer 1..24 (decimal or 0x hex)");
        ok("ssidBits", "0", "20");
        bad("ssidBits", "21", "an integer 0..20 (decimal or 0x hex)");
        ok("granule", "4K", "16K", "64K");
        bad("granule", "8K", "one of 4K, 16K, 64K");
        ok("ias", "32", "48");
        bad("ias", "49", "an integer 32..48 (decimal or 0x hex)");
        ok("oas", "32", "36", "40", "42", "44", "48");
        bad("oas", "45", "one of 32, 36, 40, 42, 44, 48");
        // 2^7 = 128 entries: more than CMDQ_BATCH_ENTRIES (64), as Linux requires.
        ok("cmdqLog2Size", "7", "19");
        bad("cmdqLog2Size", "6", "an integer 7..19 (decimal or 0x hex)");
        ok("evtqLog2Size", "1", "19");
        bad("evtqLog2Size", "20", "an integer 1..19 (decimal or 0x hex)");
        ok("iotlbEntries", "1", "1048576");
        bad("iotlbEntries", "0", "an integer 1..1048576 (decimal or 0x hex)");
        ok("ril", "true", "false");
        bad("ril", "yes", "true or false");
        ok("msiPoll", "true", "FALSE");
        bad("msiPoll", "1", "true or false");
        ok("service.ranking", "-5", "200");
        bad("service.ranking", "high", "an integer -2147483648..2147483647 (decimal or 0x hex)");
    }

    @Test
    void theValidatorServiceAppliesTheSameRules() {
        assertThrows(ConfigException.class, () -> new SmmuV3ConfigValidator().validate(Map.of("oas", "45")));
        new SmmuV3ConfigValidator().validate(Map.of("oas", "44", "streamTableFormat", "linear"));
    }

    private static void ok(String key, String... values) {
        for (String v : values) {
            SmmuV3ConfigRules.check(Map.of(key, v));
        }
    }

    private static void bad(String key, String value, String rule) {
        ConfigException e = assertThrows(ConfigException.class, () -> SmmuV3ConfigRules.check(Map.of(key, value)));
        assertEquals("configuration org.iommulab.smmu.v3: " + key + "=" + value + ": " + rule, e.getMessage());
    }
}
