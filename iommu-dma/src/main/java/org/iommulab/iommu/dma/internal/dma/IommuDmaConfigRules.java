package org.iommulab.iommu.dma.internal.dma;

import java.util.Map;

import org.iommulab.api.config.ConfigException;
import org.iommulab.api.config.ConfigReader;

/**
 * The rule of every key of {@value IommuDmaWhiteboard#PID}, defaults from
 * {@link IommuDmaWhiteboard.Config}: Linux's choices ({@code iommu.strict}: strict or lazy),
 * the flush queue's shape ({@code iova_fq}'s ring is indexed with a mask, so a power of two;
 * at most 2^20 entries per CPU, 32 times Linux's single queue of 32768), a positive timeout,
 * and base+size windows.
 */
final class IommuDmaConfigRules {
    static final int MAX_FLUSH_QUEUE = 1 << 20;
    /** One hour of simulated time: a longer flush timeout is a typo. */
    static final int MAX_FLUSH_TIMEOUT_MS = 3_600_000;

    private IommuDmaConfigRules() {
    }

    /** @throws ConfigException naming the first key whose value breaks its rule */
    static void check(Map<String, ?> properties) {
        ConfigReader r = new ConfigReader(IommuDmaWhiteboard.PID, properties, IommuDmaWhiteboard.Config.class);
        r.oneOf("mode", "strict", "lazy");
        for (String entry : r.list("backendModes")) {
            int eq = entry.indexOf('=');
            String mode = eq < 0 ? "" : entry.substring(eq + 1).trim();
            if (eq <= 0 || !(mode.equals("strict") || mode.equals("lazy"))) {
                throw r.fail("backendModes", "each entry name=strict or name=lazy; '" + entry + "' is not");
            }
        }
        r.powerOfTwo("flushQueueSize", 2, MAX_FLUSH_QUEUE);
        r.integer("flushTimeoutMs", 1, MAX_FLUSH_TIMEOUT_MS);
        r.bool("singleFlushQueue");
        r.bool("forceDac");
        r.regions("pciWindows");
        r.integer("ranking", Integer.MIN_VALUE, Integer.MAX_VALUE);
    }
}
