package org.iommulab.app.internal;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;

import org.iommulab.api.admin.DeviceStatus;
import org.iommulab.api.admin.MappingListener;
import org.iommulab.api.admin.PlatformAdmin;
import org.iommulab.api.swiotlb.SwiotlbPool;
import org.iommulab.app.internal.collect.RunCollector;
import org.iommulab.app.internal.html.ReportFile;
import org.iommulab.app.internal.report.ResultRow;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.util.tracker.ServiceTracker;

/**
 * The main job's run with {@code --report FILE.html}: a {@link RunCollector} listens to every
 * mapping change while the batch job runs, then the rows and what was collected are drawn into
 * the file. A report that cannot be written is said on stdout and makes the exit status 1; the
 * run's own status stands otherwise.
 */
final class ReportRun {
    private ReportRun() {
    }

    /** A replay with {@code --report}: the collector listens while {@code job} replays, then the replay's pictures. */
    static int replay(BundleContext context, PlatformAdmin admin, String file, String subtitle, PrintStream out,
            java.util.function.IntSupplier job) {
        Path path;
        try {
            path = Path.of(file);
        } catch (InvalidPathException e) {
            out.println("iommulab: --report " + file + ": not a file name: " + e.getMessage());
            return BatchJob.BAD_INPUT;
        }
        ServiceTracker<SwiotlbPool, SwiotlbPool> pools = new ServiceTracker<>(context, SwiotlbPool.class, null);
        pools.open();
        RunCollector collector = new RunCollector(() -> {
            SwiotlbPool p = pools.getService();
            return p == null ? null : p.stats();
        });
        ServiceRegistration<MappingListener> reg = context.registerService(MappingListener.class, collector, null);
        int status;
        try {
            status = job.getAsInt();
        } finally {
            reg.unregister();
        }
        try {
            ReportFile.writeReplay(path, subtitle, collector, logs(admin));
            out.println("iommulab: report written to " + path.toAbsolutePath());
            return status;
        } catch (IOException e) {
            out.println("iommulab: report " + path + " could not be written: " + e);
            return status == BatchJob.OK ? BatchJob.FAILED : status;
        } finally {
            pools.close();
        }
    }

    private static Map<String, List<String>> logs(PlatformAdmin admin) {
        Map<String, List<String>> logs = new LinkedHashMap<>();
        for (DeviceStatus d : admin.devices()) {
            logs.put(d.name(), admin.log(d.name()));
        }
        return logs;
    }

    /**
     * @param job runs the batch job with the given row sink and returns its status
     */
    static int run(BundleContext context, PlatformAdmin admin, String file, String subtitle, PrintStream out,
            Function<Consumer<List<ResultRow>>, Integer> job) {
        Path path;
        try {
            path = Path.of(file);
        } catch (InvalidPathException e) {
            out.println("iommulab: --report " + file + ": not a file name: " + e.getMessage());
            return BatchJob.BAD_INPUT;
        }
        ServiceTracker<SwiotlbPool, SwiotlbPool> pools = new ServiceTracker<>(context, SwiotlbPool.class, null);
        pools.open();
        RunCollector collector = new RunCollector(() -> {
            SwiotlbPool p = pools.getService();
            return p == null ? null : p.stats();
        });
        ServiceRegistration<MappingListener> reg = context.registerService(MappingListener.class, collector, null);
        AtomicReference<List<ResultRow>> rows = new AtomicReference<>();
        int status;
        try {
            status = job.apply(rows::set);
        } finally {
            reg.unregister();
        }
        try {
            if (rows.get() == null) {
                out.println("iommulab: no report written: nothing ran");
                return status;
            }
            ReportFile.write(path, subtitle, rows.get(), collector, logs(admin));
            out.println("iommulab: report written to " + path.toAbsolutePath());
            return status;
        } catch (IOException e) {
            out.println("iommulab: report " + path + " could not be written: " + e);
            return status == BatchJob.OK ? BatchJob.FAILED : status;
        } finally {
            pools.close();
        }
    }
}
