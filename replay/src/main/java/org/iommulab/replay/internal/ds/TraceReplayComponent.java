package org.iommulab.replay.internal.ds;

import java.io.PrintStream;
import java.util.List;

import org.iommulab.api.admin.PlatformAdmin;
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

    @Activate
    public TraceReplayComponent(BundleContext context, @Reference PlatformAdmin admin) {
        this.context = context;
        this.admin = admin;
    }

    @Override
    public int run(List<String> args, PrintStream out) {
        return Runs.run(context, admin, args, out);
    }
}
