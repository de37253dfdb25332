package org.iommulab.platform.internal.ds;

import java.util.Map;

import org.iommulab.api.config.ConfigException;
import org.iommulab.api.config.ConfigReader;
import org.iommulab.api.platform.MemoryRegion;
import org.iommulab.platform.internal.memory.SparsePhysicalMemory;

/**
 * The rule of every key of {@value PlatformComponent#PID}, defaults from {@link PlatformConfig}.
 * The bounds are what the simulation can hold ({@code sim.cpus} 1..4096, as
 * {@code SimSettings}), costs that cannot run the simulated clock backwards (0 or more, at most
 * one simulated second per call or access and one microsecond per byte: more is a typo), a swap
 * bound of 1 ms to one hour of host time.
 */
final class PlatformConfigRules {
    static final long MAX_RELEASE_TIMEOUT_MS = 3_600_000;
    static final long MAX_NANOS = 1_000_000_000;
    static final long MAX_PICOS_PER_BYTE = 1_000_000;

    private PlatformConfigRules() {
    }

    /** @throws ConfigException naming the first key whose value breaks its rule */
    static void check(Map<String, ?> properties) {
        ConfigReader r = new ConfigReader(PlatformComponent.PID, properties, PlatformConfig.class);
        r.oneOf("memoryLayout", PlatformComponent.DEFAULT_LAYOUT);
        r.bool("defaultDevices");
        r.bool("checker.enabled");
        r.bool("checker.recordMapSites");
        r.oneOf("checker.policy", "refuse", "report");
        r.number("swap.releaseTimeout", 1, MAX_RELEASE_TIMEOUT_MS);
        for (MemoryRegion mmio : r.regions("mmioRegions")) {
            for (MemoryRegion ram : SparsePhysicalMemory.DEFAULT_RAM) {
                if (mmio.base() < ram.end() && ram.base() < mmio.end()) {
                    // Memory that is RAM cannot also be a device's MMIO: dma_map_resource of it would alias RAM.
                    throw r.fail("mmioRegions", "base+size regions in hex outside RAM (0x40000000+0xc0000000 and"
                            + " 0x100000000+0x100000000)");
                }
            }
        }
        r.address("msi.doorbell");
        r.integer("sim.cpus", 1, 4096);
        r.number("sim.callNanos", 0, MAX_NANOS);
        r.number("sim.accessNanos", 0, MAX_NANOS);
        r.number("sim.picosPerByte", 0, MAX_PICOS_PER_BYTE);
    }
}
