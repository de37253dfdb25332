package org.iommulab.replay.internal.ds;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.iommulab.api.admin.PlatformAdmin;
import org.iommulab.api.platform.SimClock;
import org.iommulab.api.platform.SimCpus;
import org.iommulab.replay.internal.engine.Simulated;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The {@code iommu:replay} shell command. Registered under its own class, not an API type.
 * Returns the report as the text Gogo prints.
 */
@Component(service = ReplayShellCommand.class)
@GogoCommand(scope = "iommu", function = {"replay"})
public final class ReplayShellCommand {
    private final BundleContext context;
    private final PlatformAdmin admin;
    private final Simulated sim;

    @Activate
    public ReplayShellCommand(BundleContext context, @Reference PlatformAdmin admin, @Reference SimClock clock,
            @Reference SimCpus cpus) {
        this.context = context;
        this.admin = admin;
        this.sim = new Simulated(clock, cpus);
    }

    @Descriptor("replay a Linux dma:/iommu: ftrace trace on every backend (or --backend NAME); 'replay --help' for options")
    public String replay(@Descriptor("TRACE [--backend NAME]... [--devices FILE] [--set KEY=VALUE]... [--sg-guess]") String... args) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
            Runs.run(context, admin, sim, List.of(args), out, out);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }
}
