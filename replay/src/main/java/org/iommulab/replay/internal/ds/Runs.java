package org.iommulab.replay.internal.ds;

import java.io.PrintStream;
import java.util.List;

import org.iommulab.api.admin.PlatformAdmin;
import org.iommulab.replay.internal.command.ReplayCommand;
import org.iommulab.replay.internal.engine.Simulated;
import org.osgi.framework.BundleContext;

/** One replay run inside OSGi: a registry lookup that lives as long as the run. */
final class Runs {
    private Runs() {
    }

    static int run(BundleContext context, PlatformAdmin admin, Simulated sim, List<String> args, PrintStream out,
            PrintStream err) {
        try (ServiceDmaApiLookup lookup = new ServiceDmaApiLookup(context)) {
            return new ReplayCommand(admin, lookup, sim).run(args, out, err);
        }
    }
}
