package org.iommulab.platform.internal.sim;

/**
 * The simulated machine's CPUs and the modelled costs that advance its clock (configuration
 * {@code org.iommulab.platform}: {@code sim.cpus}, {@code sim.callNanos}, {@code sim.accessNanos},
 * {@code sim.picosPerByte}). Host-independent on purpose: the CPU count is a setting, not the
 * host's processor count, so the same configuration gives the same per-CPU behaviour anywhere.
 *
 * @param cpus CPUs of the simulated machine (per-CPU IOVA caches and flush queues), at least 1
 * @param callNanos modelled cost of one DMA-API call (map, unmap, sync, alloc, free): Linux's
 *        {@code map_benchmark} measures 0.1 to 1 us per map or unmap of a page behind an SMMUv3
 * @param accessNanos modelled fixed cost of one device access on the bus
 * @param picosPerByte modelled cost per byte a device moves (250 ps: 4 GB/s, PCIe 3.0 x4)
 */
public record SimSettings(int cpus, long callNanos, long accessNanos, long picosPerByte) {
    /** 8 CPUs, 500 ns per DMA-API call, 100 ns plus 250 ps per byte per device access. */
    public static final SimSettings DEFAULT = new SimSettings(8, 500, 100, 250);

    public SimSettings {
        if (cpus < 1 || cpus > 4096) {
            throw new IllegalArgumentException("sim.cpus must be 1..4096, got " + cpus);
        }
        if (callNanos < 0 || accessNanos < 0 || picosPerByte < 0) {
            throw new IllegalArgumentException("modelled costs must not be negative, got call " + callNanos
                    + " ns, access " + accessNanos + " ns, " + picosPerByte + " ps/byte");
        }
    }

    /** These settings with another CPU count. */
    public SimSettings withCpus(int n) {
        return new SimSettings(n, callNanos, accessNanos, picosPerByte);
    }

    /** The modelled cost of a device access of {@code bytes} bytes. */
    public long accessCost(long bytes) {
        return accessNanos + bytes * picosPerByte / 1000;
    }
}
