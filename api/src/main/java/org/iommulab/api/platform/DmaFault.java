package org.iommulab.api.platform;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One fault, as the hardware recorded it: the device and stream, the address and access, the
 * kind and origin, the walk level where one applies, and the architecture's own record fields
 * (for example {@code EVT.ID}, {@code CLASS}, {@code S2} for SMMUv3; {@code FSR}, {@code FAR},
 * {@code FSYNR0} for SMMUv2) in {@link #syndrome()}. Immutable.
 */
public final class DmaFault {
    private final String device;
    private final int streamId;
    private final long address;
    private final AccessType access;
    private final FaultKind kind;
    private final FaultOrigin origin;
    private final int level;
    private final String backend;
    private final String detail;
    private final Map<String, Long> syndrome;

    private DmaFault(Builder b) {
        device = b.device;
        streamId = b.streamId;
        address = b.address;
        access = b.access;
        kind = b.kind;
        origin = b.origin;
        level = b.level;
        backend = b.backend;
        detail = b.detail;
        syndrome = Collections.unmodifiableMap(new LinkedHashMap<>(b.syndrome));
    }

    public static Builder builder(FaultKind kind) {
        return new Builder(kind);
    }

    public String device() {
        return device;
    }

    public int streamId() {
        return streamId;
    }

    /** The input (bus) address of the access. */
    public long address() {
        return address;
    }

    public AccessType access() {
        return access;
    }

    public FaultKind kind() {
        return kind;
    }

    public FaultOrigin origin() {
        return origin;
    }

    /** Translation table level the fault arose at, or -1 where none applies. */
    public int level() {
        return level;
    }

    /** Name of the backend that raised the fault. */
    public String backend() {
        return backend;
    }

    /** One line in the architecture's terms. */
    public String detail() {
        return detail;
    }

    /** The architecture record's fields by name, in record order. */
    public Map<String, Long> syndrome() {
        return syndrome;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        b.append(backend).append(": ").append(kind).append(" (").append(origin).append(") ")
                .append(access).append(" 0x").append(Long.toHexString(address))
                .append(" by ").append(device).append(" sid ").append(streamId);
        if (level >= 0) {
            b.append(" level ").append(level);
        }
        if (detail != null && !detail.isEmpty()) {
            b.append(": ").append(detail);
        }
        syndrome.forEach((k, v) -> b.append(' ').append(k).append("=0x").append(Long.toHexString(v)));
        return b.toString();
    }

    /** Builds a {@link DmaFault}. */
    public static final class Builder {
        private final FaultKind kind;
        private String device = "?";
        private int streamId = -1;
        private long address;
        private AccessType access = AccessType.READ;
        private FaultOrigin origin = FaultOrigin.ACCESS;
        private int level = -1;
        private String backend = "?";
        private String detail = "";
        private final Map<String, Long> syndrome = new LinkedHashMap<>();

        private Builder(FaultKind kind) {
            if (kind == null) {
                throw new IllegalArgumentException("fault kind must not be null");
            }
            this.kind = kind;
        }

        public Builder device(String name, int sid) {
            device = name;
            streamId = sid;
            return this;
        }

        public Builder address(long addr, AccessType type) {
            address = addr;
            access = type;
            return this;
        }

        public Builder origin(FaultOrigin o) {
            origin = o;
            return this;
        }

        public Builder level(int l) {
            level = l;
            return this;
        }

        public Builder backend(String name) {
            backend = name;
            return this;
        }

        public Builder detail(String text) {
            detail = text;
            return this;
        }

        public Builder syndrome(String field, long value) {
            syndrome.put(field, value);
            return this;
        }

        public DmaFault build() {
            return new DmaFault(this);
        }
    }
}
