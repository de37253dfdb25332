package org.iommulab.app.internal;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;

import org.iommulab.api.admin.DeviceStatus;
import org.iommulab.api.admin.MappingListener;
import org.iommulab.api.admin.PlatformAdmin;
import org.iommulab.api.swiotlb.SwiotlbPool;
import org.iommulab.app.internal.collect.DomainProbe;
import org.iommulab.app.internal.collect.RunCollector;
import org.iommulab.app.internal.html.ReplayAgreement;
import org.iommulab.app.internal.html.ReportFile;
import org.iommulab.app.internal.results.Json;
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

    /**
     * A replay with {@code --report}: the collector listens while {@code job} replays, then the
     * replay's pictures. The replay's own {@code --json} records give where it agrees with the
     * trace: the file the user named, or else a temporary one added to the service arguments
     * (and deleted after).
     *
     * @param args the replay service's arguments
     * @param job runs the replay with the given arguments and returns its status
     */
    static int replay(BundleContext context, PlatformAdmin admin, String file, String subtitle, PrintStream out,
            List<String> args, Function<List<String>, Integer> job) {
        Path path;
        try {
            path = Path.of(file);
        } catch (InvalidPathException e) {
            out.println("iommulab: --report " + file + ": not a file name: " + e.getMessage());
            return BatchJob.BAD_INPUT;
        }
        Path records;
        Path temporary = null;
        FileTime before = null;
        List<String> run = new ArrayList<>(args);
        int given = args.indexOf("--json");
        try {
            if (given >= 0 && given + 1 < args.size()) {
                records = Path.of(args.get(given + 1));
                before = Files.exists(records) ? Files.getLastModifiedTime(records) : null;
            } else {
                temporary = Files.createTempFile("iommulab-replay-", ".json");
                records = temporary;
                run.add("--json");
                run.add(temporary.toString());
            }
        } catch (IOException | InvalidPathException e) {
            // The replay itself says what is wrong with a bad --json; the report then says it has no records.
            records = null;
        }
        ServiceTracker<SwiotlbPool, SwiotlbPool> pools = new ServiceTracker<>(context, SwiotlbPool.class, null);
        pools.open();
        RunCollector collector = new RunCollector(() -> {
            SwiotlbPool p = pools.getService();
            return p == null ? null : p.stats();
        }, DomainProbe.of(admin));
        ServiceRegistration<MappingListener> reg = context.registerService(MappingListener.class, collector, null);
        int status;
        try {
            status = job.apply(run);
        } finally {
            reg.unregister();
        }
        try {
            List<ReplayAgreement> agreement = null;
            String unread = null;
            try {
                if (records == null) {
                    unread = "no file for them";
                } else if (!Files.exists(records) || Files.size(records) == 0
                        || (before != null && before.equals(Files.getLastModifiedTime(records)))) {
                    unread = "the replay did not write them (it stopped before its results)";
                } else {
                    agreement = ReplayAgreement.fromDocument(Json.read(Files.readString(records, StandardCharsets.UTF_8)));
                }
            } catch (IOException | IllegalArgumentException e) {
                unread = records + ": " + e.getMessage();
            }
            ReportFile.writeReplay(path, subtitle, collector, logs(admin), agreement, unread);
            out.println("iommulab: report written to " + path.toAbsolutePath());
            return status;
        } catch (IOException e) {
            out.println("iommulab: report " + path + " could not be written: " + e);
            return status == BatchJob.OK ? BatchJob.FAILED : status;
        } finally {
            pools.close();
            if (temporary != null) {
                try {
                    Files.deleteIfExists(temporary);
                } catch (IOException e) {
                    out.println("iommulab: the replay's temporary records " + temporary + " could not be deleted: " + e);
                }
            }
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
            BiFunction<Consumer<List<ResultRow>>, BiConsumer<String, String>, Integer> job) {
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
        }, DomainProbe.of(admin));
        ServiceRegistration<MappingListener> reg = context.registerService(MappingListener.class, collector, null);
        AtomicReference<List<ResultRow>> rows = new AtomicReference<>();
        int status;
        try {
            status = job.apply(rows::set, collector::groupEnded);
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
