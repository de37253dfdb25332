package org.iommulab.smmu.v3.internal.ds;

import java.util.Map;

import org.iommulab.api.config.ConfigException;
import org.iommulab.api.config.ConfigReader;

/**
 * The rule of every key of {@value SmmuV3Component#PID}, defaults from
 * {@link SmmuV3Configuration}: what the SMMUv3 architecture allows for the ID register field
 * each key sets (IHI 0070, 6.3.1-6.3.6: IDR1.SIDSIZE up to 32 bits, of which the model's
 * stream table takes 24; IDR1.SSIDSIZE up to 20; IDR1.CMDQS and EVENTQS up to 19; IDR5.OAS
 * 32..48 in its encoded steps) and what the driver supports (a command queue of more than
 * {@code CMDQ_BATCH_ENTRIES}, 64, entries, as Linux requires; IAS 32..48 bits).
 */
final class SmmuV3ConfigRules {
    private SmmuV3ConfigRules() {
    }

    /** @throws ConfigException naming the first key whose value breaks its rule */
    static void check(Map<String, ?> properties) {
        ConfigReader r = new ConfigReader(SmmuV3Component.PID, properties, SmmuV3Configuration.class);
        r.oneOf("stage", "1", "2", "nested");
        r.oneOf("streamTableFormat", "2level", "linear");
        r.integer("sidBits", 1, 24);
        r.integer("ssidBits", 0, 20);
        r.oneOf("granule", "4K", "16K", "64K");
        r.integer("ias", 32, 48);
        r.intOneOf("oas", 32, 36, 40, 42, 44, 48);
        r.integer("cmdqLog2Size", 7, 19);
        r.integer("evtqLog2Size", 1, 19);
        r.integer("iotlbEntries", 1, 1 << 20);
        r.bool("ril");
        r.bool("msiPoll");
        r.integer("service.ranking", Integer.MIN_VALUE, Integer.MAX_VALUE);
    }
}
