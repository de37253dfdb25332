package org.iommulab.devices.internal.testing;

import java.util.function.BiFunction;
import java.util.function.Function;

import org.iommulab.api.backend.BackendCounter;
import org.iommulab.api.backend.BackendException;
import org.iommulab.api.backend.DeviceBinding;
import org.iommulab.api.backend.DmaBackend;
import org.iommulab.api.backend.DmaDevice;
import org.iommulab.api.backend.DmaOps;
import org.iommulab.api.backend.TranslationPort;

/** A test backend made of another one (direct, say) with its ops and port replaced per device. */
public class WrappingBackend implements DmaBackend {
    private final String name;
    private final DmaBackend inner;
    private final BiFunction<DmaDevice, DeviceBinding, DeviceBinding> wrap;

    public WrappingBackend(String name, DmaBackend inner, BiFunction<DmaDevice, DeviceBinding, DeviceBinding> wrap) {
        this.name = name;
        this.inner = inner;
        this.wrap = wrap;
    }

    /** A backend whose ops for each device are {@code ops} applied to the inner backend's ops. */
    public static WrappingBackend ops(String name, DmaBackend inner, BiFunction<DmaDevice, DmaOps, DmaOps> ops) {
        return new WrappingBackend(name, inner, (dev, real) -> binding(ops.apply(dev, real.ops()), real.port(), real));
    }

    /** A binding with these ops and port that counts and detaches as {@code real}. */
    public static DeviceBinding binding(DmaOps ops, TranslationPort port, DeviceBinding real) {
        return new DeviceBinding() {
            @Override
            public DmaOps ops() {
                return ops;
            }

            @Override
            public TranslationPort port() {
                return port;
            }

            @Override
            public long counter(BackendCounter c) {
                return real.counter(c);
            }

            @Override
            public void detach() {
                real.detach();
            }
        };
    }

    /** A backend whose port for each device is {@code port} applied to the inner backend's port. */
    public static WrappingBackend port(String name, DmaBackend inner, Function<TranslationPort, TranslationPort> port) {
        return new WrappingBackend(name, inner, (dev, real) -> binding(real.ops(), port.apply(real.port()), real));
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
