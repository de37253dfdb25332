package org.iommulab.tck;

import java.util.Collections;
import java.util.Map;

import org.iommulab.api.admin.PlatformAdmin;
import org.iommulab.api.backend.DmaBackend;
import org.iommulab.api.dma.DmaApi;
import org.iommulab.api.iommu.IommuDriver;
import org.iommulab.tck.internal.Environment;
import org.iommulab.tck.internal.StreamIds;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;

/**
 * The backend a {@link Check} runs against, and the running platform around it: what the check
 * may use besides the exported API. The services are looked up when asked, so a backend whose
 * bundle was updated is found again. Thread-safe.
 */
public final class BackendUnderTest {
    private final Environment env;
    private final StreamIds streamIds;
    private final String name;
    private final Map<String, Object> properties;

    BackendUnderTest(Environment env, StreamIds streamIds, String name, Map<String, Object> properties) {
        this.env = env;
        this.streamIds = streamIds;
        this.name = name;
        this.properties = Collections.unmodifiableMap(properties);
    }

    /** The backend's name ({@code iommulab.backend.name}). */
    public String name() {
        return name;
    }

    /**
     * Whether the backend says it confines a device to what is mapped for it, with the
     * permission its direction gives ({@link DmaBackend#ISOLATION_PROPERTY}); the isolation
     * checks apply only then.
     */
    public boolean isolating() {
        Object iso = properties.get(DmaBackend.ISOLATION_PROPERTY);
        return Boolean.TRUE.equals(iso) || "true".equalsIgnoreCase(String.valueOf(iso));
    }

    /** The backend's {@code service.ranking} (0 when it has none or it is not an Integer, as OSGi counts it). */
    public int ranking() {
        Object r = properties.get(Constants.SERVICE_RANKING);
        return r instanceof Integer ? (Integer) r : 0;
    }

    /** The backend service's properties when the check started. */
    public Map<String, Object> properties() {
        return properties;
    }

    /** The running platform: devices, binding, bus masters, statistics, faults, memory. */
    public PlatformAdmin admin() {
        return env.admin();
    }

    /** The backend service, or null when it is not registered now. */
    public DmaBackend dmaBackend() {
        return env.dmaBackend(name);
    }

    /**
     * The IOMMU driver iommu-dma made this backend from ({@link IommuDriver#NAME_PROPERTY} equal
     * to the backend's name), or null when the backend is not an IOMMU driver's: the page-table
     * checks drive it directly (probe, domains, map, unmap, translate).
     */
    public IommuDriver iommuDriver() {
        return env.iommuDriver(name);
    }

    /**
     * The DMA API the platform publishes for {@code device} once it is bound to this backend,
     * waiting up to {@code millis}; null when it does not appear.
     */
    public DmaApi awaitDmaApi(String device, long millis) throws InterruptedException {
        return env.awaitDmaApi(device, name, millis);
    }

    /**
     * A stream ID for a new device: no device of the platform has it, no earlier check of this
     * run was given it, and this backend accepts a 64-bit device with it.
     *
     * @throws AssertionError when the backend accepts none
     */
    public int freshStreamId() {
        return streamIds.fresh(env.admin(), env.dmaBackend(name), name);
    }

    /** The framework the platform runs in, or null when the TCK runs outside one. */
    public BundleContext context() {
        return env.context();
    }

    /**
     * The bundle that provides this backend: the one that registered its IOMMU driver, or else
     * its backend service; null outside a framework.
     */
    public Bundle provider() {
        return env.provider(name);
    }

    @Override
    public String toString() {
        return name + " (ranking " + ranking() + (isolating() ? ", isolating" : "") + ")";
    }
}
