package org.iommulab.tck.internal;

import java.util.Map;

import org.iommulab.api.admin.PlatformAdmin;
import org.iommulab.api.backend.DmaBackend;
import org.iommulab.api.dma.DmaApi;
import org.iommulab.api.iommu.IommuDriver;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

/**
 * Where the checks find the platform and its services: the service registry of a running
 * framework ({@link OsgiEnvironment}), or, in the kit's own unit tests, a platform built from
 * plain classes. Everything a check needs beyond {@link PlatformAdmin} goes through here.
 */
public interface Environment {
    PlatformAdmin admin();

    /** The service properties of the backend named {@code name}, or null when none is registered. */
    Map<String, Object> backendProperties(String name);

    /** The backend service named {@code name}, or null. */
    DmaBackend dmaBackend(String name);

    /** The IOMMU driver service named {@code name} (iommu-dma made the backend from it), or null. */
    IommuDriver iommuDriver(String name);

    /**
     * The DMA API the platform publishes for {@code device} bound to {@code backend}, waiting up
     * to {@code millis} for it to appear; null when it did not.
     */
    DmaApi awaitDmaApi(String device, String backend, long millis) throws InterruptedException;

    /** The framework's context, or null outside one. */
    BundleContext context();

    /**
     * The bundle that provides {@code backend}: the one that registered its IOMMU driver, else
     * the one that registered the backend service; null outside a framework or when none.
     */
    Bundle provider(String backend);
}
