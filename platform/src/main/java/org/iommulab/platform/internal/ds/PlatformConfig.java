package org.iommulab.platform.internal.ds;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/** Configuration {@code org.iommulab.platform}: the simulated machine. */
@ObjectClassDefinition(id = PlatformComponent.PID, name = "iommulab platform",
        description = "The simulated machine: its physical memory and the devices it starts with.")
public @interface PlatformConfig {
    @AttributeDefinition(name = "Memory layout",
            description = "RAM regions of the physical address space. Only 'default' exists now: 3 GiB at 1 GiB "
                    + "and 4 GiB at 4 GiB, so that memory both below and above a 32-bit mask exists.",
            options = @Option(label = "3 GiB at 1 GiB + 4 GiB at 4 GiB", value = "default"))
    String memoryLayout() default "default";

    @AttributeDefinition(name = "Default devices",
            description = "Add the built-in devices nic0, disk0, cam0 and ext0 at start-up.")
    boolean defaultDevices() default true;

    // Property names: a single '_' in a method name is a '.' in the property (OSGi metatype / DS).

    @AttributeDefinition(name = "DMA-API checker (checker.enabled)",
            description = "Linux's CONFIG_DMA_API_DEBUG and more, around every device's DMA API: misuse of unmap and "
                    + "sync, unchecked mapping errors, overlapping cache lines, sg segment limits, leaks, CPU accesses "
                    + "to device-owned or unallocated memory, sub-page exposure. Each finding is counted, kept and told "
                    + "to FindingListener services. Off: no findings and the drivers' CPU view is raw memory; misuse "
                    + "is still refused with an exception.")
    boolean checker_enabled() default true;

    @AttributeDefinition(name = "Swap release bound in ms (swap.releaseTimeout)",
            description = "How long a swap waits for a device's driver to release (and then for its DMA-API calls and "
                    + "device accesses in flight to drain). A release that does not end in time ends the swap with an "
                    + "error naming the device, the driver and what its thread waits on, with its stack; the device stays "
                    + "on its old backend. Host time on the swapping thread; nothing simulated reads it.")
    long swap_releaseTimeout() default 5000;

    @AttributeDefinition(name = "Declared MMIO regions (mmioRegions)",
            description = "Physical ranges, as base+size in hex (0x8000000+0x38000000), that dma_map_resource may map "
                    + "besides RAM: memory that exists but is not RAM. Must not overlap RAM. The default is the device "
                    + "region of QEMU's virt machine below RAM.")
    String[] mmioRegions() default {"0x8000000+0x38000000"};

    @AttributeDefinition(name = "Record map call sites (checker.recordMapSites)",
            description = "Record where every mapping was made, so that findings say it ('mapped at'). A stack walk "
                    + "per map: several times the cost of a map, and it allocates; off by default.")
    boolean checker_recordMapSites() default false;

    @AttributeDefinition(name = "Simulated CPUs (sim.cpus)",
            description = "CPUs of the simulated machine: iommu-dma keeps its IOVA caches and flush queues per CPU, as "
                    + "Linux does. A workload thread runs on its thread id modulo this count; a trace replay runs each "
                    + "call on the CPU the trace names. Not the host's processor count, so results do not depend on it.")
    int sim_cpus() default 8;

    @AttributeDefinition(name = "Modelled cost of a DMA-API call in ns (sim.callNanos)",
            description = "How far each map, unmap, sync, alloc or free advances the simulated clock. A replay follows "
                    + "the trace's timestamps instead.")
    long sim_callNanos() default 500;

    @AttributeDefinition(name = "Modelled cost of a device access in ns (sim.accessNanos)",
            description = "How far each device access on the bus advances the simulated clock, plus sim.picosPerByte per byte.")
    long sim_accessNanos() default 100;

    @AttributeDefinition(name = "Modelled cost per byte a device moves in ps (sim.picosPerByte)",
            description = "250 ps per byte is 4 GB/s, a PCIe 3.0 x4 link.")
    long sim_picosPerByte() default 250;

    @AttributeDefinition(name = "MSI doorbell (msi.doorbell)",
            description = "Physical address, in hex, of the interrupt controller's MSI doorbell, which a device that "
                    + "enables MSI writes to; behind an IOMMU iommu-dma maps its page into the device's domain. The "
                    + "default is QEMU virt's GICv3 ITS GITS_TRANSLATER.")
    String msi_doorbell() default "0x08090040";

    @AttributeDefinition(name = "Checker policy (checker.policy)",
            description = "What a misused unmap, sync or free gets. refuse: its findings are reported, it throws and "
                    + "changes nothing. report: what Linux's dma-debug does, the findings are reported and the call is "
                    + "carried out with the caller's arguments. A trace replay sets report on its own devices.",
            options = {@Option(label = "refuse", value = "refuse"), @Option(label = "report", value = "report")})
    String checker_policy() default "refuse";
}
