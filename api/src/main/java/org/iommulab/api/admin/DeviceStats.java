package org.iommulab.api.admin;

/** A snapshot of the counters of one device on one backend. Immutable. */
public final class DeviceStats {
    private final String device;
    private final String backend;
    private final long[] values;

    public DeviceStats(String device, String backend, long[] values) {
        if (values == null || values.length != Stat.values().length) {
            throw new IllegalArgumentException("need one value per Stat");
        }
        this.device = device;
        this.backend = backend;
        this.values = values.clone();
    }

    public String device() {
        return device;
    }

    public String backend() {
        return backend;
    }

    public long get(Stat stat) {
        return values[stat.ordinal()];
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(device).append('@').append(backend);
        for (Stat s : Stat.values()) {
            b.append(' ').append(s.name().toLowerCase()).append('=').append(values[s.ordinal()]);
        }
        return b.toString();
    }
}
