package org.iommulab.api.platform;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Told of every DMA fault a backend reports. Register as an OSGi service (whiteboard); the
 * platform calls it on the thread that reported the fault, so keep it short.
 */
@ConsumerType
public interface FaultListener {
    void faultReported(DmaFault fault);
}
