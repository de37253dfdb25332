package org.iommulab.iommu.generic.internal.driver;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.iommulab.api.config.ConfigException;
import org.iommulab.api.config.ConfigReader;
import org.iommulab.api.iommu.IommuResvRegion;

/**
 * The rule of every key of {@value GenericIommuComponent#PID}, defaults from
 * {@link GenericIommuComponent.Config}: the model's ranges (a device table of 2^1..2^16
 * entries, LPAE input addresses of 32..48 bits and output sizes in the LPAE steps, an IOTLB
 * and a fault log the JVM can hold) and Linux's reserved-region syntax.
 */
final class GenericIommuConfigRules {
    /** An IOTLB or fault log bigger than this is a typo, not a model: it would be allocated whole. */
    static final int MAX_ENTRIES = 1 << 20;

    private GenericIommuConfigRules() {
    }

    /**
     * @return the reserved regions the configuration names
     * @throws ConfigException naming the first key whose value breaks its rule
     */
    static List<IommuResvRegion> check(Map<String, ?> properties) {
        ConfigReader r = new ConfigReader(GenericIommuComponent.PID, properties, GenericIommuComponent.Config.class);
        r.integer("streamIdBits", 1, 16);
        r.integer("inputAddressBits", 32, 48);
        r.intOneOf("outputAddressBits", 32, 36, 40, 42, 44, 48);
        r.integer("iotlbEntries", 1, MAX_ENTRIES);
        r.integer("faultLogSize", 1, MAX_ENTRIES);
        r.bool("privilegedAccesses");
        List<IommuResvRegion> regions = new ArrayList<>();
        for (String entry : r.list("reservedRegions")) {
            try {
                regions.add(IommuResvRegion.parse(entry));
            } catch (IllegalArgumentException bad) {
                throw r.fail("reservedRegions", "each entry 'type base+size' in hex, type sw-msi, msi, direct,"
                        + " direct-relaxable or reserved (" + bad.getMessage() + ")");
            }
        }
        return regions;
    }
}
