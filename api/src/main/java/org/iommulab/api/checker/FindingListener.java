package org.iommulab.api.checker;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Told of every checker finding. Register as an OSGi service (whiteboard); called on the
 * thread of the offending call, so keep it short.
 */
@ConsumerType
public interface FindingListener {
    void findingReported(Finding finding);
}
