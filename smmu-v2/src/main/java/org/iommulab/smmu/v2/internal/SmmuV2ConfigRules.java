package org.iommulab.smmu.v2.internal;

import java.util.Map;

import org.iommulab.api.config.ConfigException;
import org.iommulab.api.config.ConfigReader;

/**
 * The rule of every key of {@value SmmuV2Component#PID}, defaults from
 * {@link SmmuV2Component.Config}: the ranges of the ID registers each key sets (ARM IHI 0062,
 * SMMUv2 10.6.1-10.6.3: ID0.NUMSMRG and ID1.NUMCB up to 128, ID0.NUMSIDB up to 15, ID1.PAGESIZE
 * 4 or 64 KiB, ID2.IAS/OAS in their encoded steps, ID0.PTFS granules) and the model's own
 * (a TLB of a power of two 4..65536 entries, 0..1000000 polls of sync latency).
 */
final class SmmuV2ConfigRules {
    private SmmuV2ConfigRules() {
    }

    /** @throws ConfigException naming the first key whose value breaks its rule */
    static void check(Map<String, ?> properties) {
        ConfigReader r = new ConfigReader(SmmuV2Component.PID, properties, SmmuV2Component.Config.class);
        r.integer("smrGroups", 1, 128);
        r.integer("contextBanks", 1, 128);
        r.intOneOf("pageSize", 4096, 65536);
        r.intOneOf("ias", 32, 36, 40, 42, 44, 48);
        r.intOneOf("oas", 32, 36, 40, 42, 44, 48);
        r.intOneOf("granule", 0, 4096, 16384, 65536);
        r.intOneOf("stage", 1, 2);
        r.powerOfTwo("tlbEntries", 4, 65536);
        r.integer("syncPolls", 0, 1_000_000);
        r.integer("streamIdBits", 1, 15);
        r.bool("disableBypass");
        r.bool("perPageBlockInvalidation");
    }
}
