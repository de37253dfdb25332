package org.iommulab.replay.internal.ds;

import java.io.PrintStream;
import java.util.List;

import org.iommulab.api.admin.PlatformAdmin;
import org.iommulab.api.platform.SimClock;
import org.iommulab.api.platform.SimCpus;
import org.iommulab.replay.internal.engine.Simulated;
import org.iommulab.replay.TraceReplay;
import org.iommulab.replay.internal.command.ReplayCommand;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The {@link TraceReplay} service: a thin shell around {@link ReplayCommand}, with DMA APIs
 * looked up in the service registry for the length of each run.
 */
@Component(service = TraceReplay.class)
public final class TraceReplayComponent implements TraceReplay {
    private final BundleContext context;
    private final PlatformAdmin admin;
    private final Simulated sim;

    @Activate
    public TraceReplayComponent(BundleContext context, @Reference PlatformAdmin admin, @Reference SimClock clock,
            @Reference SimCpus cpus) {
        this.context = context;
        this.admin = admin;
        this.sim = new Simulated(clock, cpus);
    }

    @Override
    public int run(List<String> args, PrintStream out) {
        return Runs.run(context, admin, sim, args, out, out);
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) {
        return Runs.run(context, admin, sim, args, out, err);
    }
}
