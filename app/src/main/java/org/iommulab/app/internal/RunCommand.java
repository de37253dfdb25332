package org.iommulab.app.internal;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.iommulab.api.admin.DeviceStatus;
import org.iommulab.api.admin.PlatformAdmin;
import org.iommulab.api.platform.SimClock;
import org.iommulab.app.internal.report.ResultRow;
import org.iommulab.app.internal.report.ResultTable;
import org.iommulab.app.internal.scenario.Plan;
import org.iommulab.devices.Workload;
import org.iommulab.devices.WorkloadParams;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code iommu:run WORKLOAD [BACKEND]} in the shell: one workload run as the main job runs it,
 * on the backend its device is bound to, or after moving the device to {@code BACKEND} with the
 * swap protocol; prints the main job's table row for it. A backend bundle dropped into
 * {@code deploy/} can so be exercised without a restart. Registered under its own class.
 */
@Component(service = RunCommand.class)
@GogoCommand(scope = "iommu", function = {"run"})
public final class RunCommand {
    /** How long to wait for the workload's driver after a swap. */
    static final long WAIT_MILLIS = 10_000;

    private final BundleContext context;
    private final PlatformAdmin admin;
    private final SimClock clock;

    @Activate
    public RunCommand(BundleContext context, @Reference PlatformAdmin admin, @Reference SimClock clock) {
        this.context = context;
        this.admin = admin;
        this.clock = clock;
    }

    @Descriptor("run a workload on the backend its device is bound to and print its row of the main job's table")
    public String run(@Descriptor("workload name (see the main job's table)") String workload) {
        return run(workload, null);
    }

    @Descriptor("move the workload's device to a backend (swap protocol), run the workload there, print its row")
    public String run(@Descriptor("workload name") String workload, @Descriptor("backend name") String backend) {
        return run(new ServiceWorkloads(context, WAIT_MILLIS), workload, backend);
    }

    /** The command over any workload lookup (unit tests pass their own). */
    String run(WorkloadLookup lookup, String workload, String backend) {
        Map<String, Workload> present = lookup.present();
        Workload w = present.get(workload);
        if (w == null) {
            throw new IllegalArgumentException("unknown workload '" + workload + "'; present: "
                    + (present.isEmpty() ? "none" : String.join(", ", present.keySet())));
        }
        String device = w.deviceName();
        String target = backend;
        if (target == null) {
            DeviceStatus s = admin.device(device);
            target = s.backend();
            if (target == null) {
                throw new IllegalStateException("device " + device + " of workload " + workload
                        + " is bound to no backend; name one: run " + workload + " <backend>");
            }
        } else if (!admin.backends().contains(target)) {
            throw new IllegalArgumentException("unknown backend '" + target + "'; registered: "
                    + String.join(", ", admin.backends()));
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        BatchJob job = new BatchJob(admin, lookup, clock, out);
        ResultRow row = job.runOne(target, new Plan.Run(w.name(), device, w.seededBug(), WorkloadParams.DEFAULT));
        ResultTable.print(List.of(row), out);
        out.println(workload + " on " + target + ": " + row.outcome().label());
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
