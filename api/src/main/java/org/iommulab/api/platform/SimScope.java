package org.iommulab.api.platform;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A stretch of a thread's life under a simulated setting ({@link SimCpus#runOn},
 * {@link SimClock#externalTime}), ended by {@link #close()}; scopes nest and restore what was
 * set before. Belongs to the thread that opened it.
 */
@ProviderType
public interface SimScope extends AutoCloseable {
    /** Ends the scope: the thread is back to what it was before it opened. Idempotent. */
    @Override
    void close();
}
