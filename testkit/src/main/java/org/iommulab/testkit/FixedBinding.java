package org.iommulab.testkit;

import java.util.function.ToLongFunction;

import org.iommulab.api.backend.BackendCounter;
import org.iommulab.api.backend.DeviceBinding;
import org.iommulab.api.backend.DmaOps;
import org.iommulab.api.backend.TranslationPort;

/**
 * A device binding assembled from its parts, for tests that put other ops or another port in
 * front of a real binding ({@link WrappingBackend#binding}) or that need a binding only for
 * its counters: {@code ops} and {@code port} as given (either may be null when the test never
 * asks), {@link #counter} answered by {@code counters}, {@link #detach} running
 * {@code onDetach}.
 *
 * <p>Thread safety: immutable; as thread-safe as the parts it is given.
 */
public record FixedBinding(DmaOps ops, TranslationPort port, ToLongFunction<BackendCounter> counters,
        Runnable onDetach) implements DeviceBinding {

    @Override
    public long counter(BackendCounter counter) {
        return counters.applyAsLong(counter);
    }

    @Override
    public void detach() {
        onDetach.run();
    }
}
