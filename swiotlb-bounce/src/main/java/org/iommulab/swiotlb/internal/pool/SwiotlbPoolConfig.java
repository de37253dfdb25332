package org.iommulab.swiotlb.internal.pool;

import java.util.Map;

import org.iommulab.api.config.ConfigException;
import org.iommulab.api.config.ConfigReader;

/**
 * Configuration {@value SwiotlbPoolComponent#PID} read and held to its rules, the defaults
 * being the metatype's ({@link SwiotlbPoolComponent.Config}): the component and its
 * {@link SwiotlbConfigValidator} read it the same way.
 *
 * @param size pool bytes, {@link PoolGeometry#MIN_SIZE}..{@link PoolGeometry#MAX_SIZE} (K, M, G allowed)
 * @param areas 0 (one per simulated CPU) ..{@link PoolGeometry#MAX_AREAS}
 */
record SwiotlbPoolConfig(long size, int areas) {

    /** @throws ConfigException naming the first key whose value breaks its rule */
    static SwiotlbPoolConfig read(Map<String, ?> properties) {
        ConfigReader r = new ConfigReader(SwiotlbPoolComponent.PID, properties, SwiotlbPoolComponent.Config.class);
        return new SwiotlbPoolConfig(r.size("size", PoolGeometry.MIN_SIZE, PoolGeometry.MAX_SIZE),
                r.integer("areas", 0, PoolGeometry.MAX_AREAS));
    }
}
