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
}
