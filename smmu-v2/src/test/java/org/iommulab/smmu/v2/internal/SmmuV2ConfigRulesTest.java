package org.iommulab.smmu.v2.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;

import org.iommulab.api.config.ConfigException;
import org.junit.jupiter.api.Test;

/**
 * Every key of {@code org.iommulab.smmu.v2} at its bounds (accepted) and past them (refused with
 * PID, key, value and rule). The bounds are the SMMUv2 ID registers' (IHI 0062 10.6): NUMSMRG
 * and NUMCB at most 128, NUMSIDB at most 15, PAGESIZE 4 or 64 KiB, IAS/OAS 32..48 in the encoded
 * steps; the TLB a power of two, as the model indexes it with a mask.
 */
class SmmuV2ConfigRulesTest {

    @Test
    void theDefaultsPass() {
        SmmuV2ConfigRules.check(Map.of());
    }

    @Test
    void everyKeyAtItsBoundsAndPastThem() {
        ok("smrGroups", "1", "128");
        bad("smrGroups", "129", "an integer 1..128 (decimal or 0x hex)");
        ok("contextBanks", "1", "128");
        bad("contextBanks", "0", "an integer 1..128 (decimal or 0x hex)");
        ok("pageSize", "4096", "65536");
        bad("pageSize", "16384", "one of 4096, 65536");
        ok("ias", "32", "36", "40", "42", "44", "48");
        bad("ias", "39", "one of 32, 36, 40, 42, 44, 48");
        ok("oas", "32", "48");
        bad("oas", "52", "one of 32, 36, 40, 42, 44, 48");
        ok("granule", "0", "4096", "16384", "65536");
        bad("granule", "8192", "one of 0, 4096, 16384, 65536");
        ok("stage", "1", "2");
        bad("stage", "3", "one of 1, 2");
        ok("tlbEntries", "4", "65536", "0x80");
        bad("tlbEntries", "100", "a power of two 4..65536");
        bad("tlbEntries", "2", "a power of two 4..65536");
        ok("syncPolls", "0", "1000000");
        bad("syncPolls", "-1", "an integer 0..1000000 (decimal or 0x hex)");
        ok("streamIdBits", "1", "15");
        bad("streamIdBits", "16", "an integer 1..15 (decimal or 0x hex)");
        ok("disableBypass", "true", "false");
        bad("disableBypass", "on", "true or false");
        ok("perPageBlockInvalidation", "true", "false");
        bad("perPageBlockInvalidation", "", "true or false");
    }

    @Test
    void theValidatorServiceAppliesTheSameRules() {
        assertThrows(ConfigException.class, () -> new SmmuV2ConfigValidator().validate(Map.of("tlbEntries", "100")));
        new SmmuV2ConfigValidator().validate(Map.of("tlbEntries", "256"));
    }

    private static void ok(String key, String... values) {
        for (String v : values) {
            SmmuV2ConfigRules.check(Map.of(key, v));
        }
    }

    private static void bad(String key, String value, String rule) {
        ConfigException e = assertThrows(ConfigException.class, () -> SmmuV2ConfigRules.check(Map.of(key, value)));
        assertEquals("configuration org.iommulab.smmu.v2: " + key + "=" + value + ": " + rule, e.getMessage());
    }
}
