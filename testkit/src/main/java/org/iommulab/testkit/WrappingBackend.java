package org.iommulab.testkit;

import java.util.function.BiFunction;
import java.util.function.Function;

import org.iommulab.api.backend.BackendException;
import org.iommulab.api.backend.DeviceBinding;
import org.iommulab.api.backend.DmaBackend;
import org.iommulab.api.backend.DmaDevice;
import org.iommulab.api.backend.DmaOps;
import org.iommulab.api.backend.TranslationPort;

/**
 * A test backend made of another one (direct, say) with its ops and port replaced per device:
 * for a backend that misbehaves in one chosen way (device writes land elsewhere, sg lists are
 * merged, a sync is lost) while everything else stays the real backend's. It accepts what the
 * inner backend accepts, and each binding counts and detaches as the inner one.
 *
 * <p>Thread safety: immutable; as thread-safe as the inner backend and the wrapping functions.
 */
public class WrappingBackend implements DmaBackend {
    private final String name;
    private final DmaBackend inner;
    private final BiFunction<DmaDevice, DeviceBinding, DeviceBinding> wrap;

    /** A backend whose binding for each device is {@code wrap} applied to the inner backend's. */
    public WrappingBackend(String name, DmaBackend inner, BiFunction<DmaDevice, DeviceBinding, DeviceBinding> wrap) {
        this.name = name;
        this.inner = inner;
        this.wrap = wrap;
    }

    /** A backend whose ops for each device are {@code ops} applied to the inner backend's ops. */
    public static WrappingBackend ops(String name, DmaBackend inner, BiFunction<DmaDevice, DmaOps, DmaOps> ops) {
        return new WrappingBackend(name, inner, (dev, real) -> binding(ops.apply(dev, real.ops()), real.port(), real));
    }

    /** A backend whose port for each device is {@code port} applied to the inner backend's port. */
    public static WrappingBackend port(String name, DmaBackend inner, Function<TranslationPort, TranslationPort> port) {
        return new WrappingBackend(name, inner, (dev, real) -> binding(real.ops(), port.apply(real.port()), real));
    }

    /** A binding with these ops and port that counts and detaches as {@code real}. */
    public static DeviceBinding binding(DmaOps ops, TranslationPort port, DeviceBinding real) {
        return new FixedBinding(ops, port, real::counter, real::detach);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean accepts(DmaDevice device) {
        return inner.accepts(device);
    }

    @Override
    public DeviceBinding attach(DmaDevice device) throws BackendException {
        return wrap.apply(device, inner.attach(device));
    }
}
