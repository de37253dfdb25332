package org.iommulab.app.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.iommulab.app.internal.results.Merge;
import org.iommulab.app.internal.results.ResultsFile;
import org.iommulab.app.internal.results.Summary;

/**
 * {@code --jobs N}: runs the main job or a scenario as N child processes of this jar at once,
 * child I with {@code --shard I/N --json}, each in a folder of its own under a temporary folder
 * (its own {@code felix-cache}; {@code deploy/} linked to this folder's), then merges their
 * results as {@code merge} does and prints one table. A child's output goes to its log file,
 * printed when the child fails; the temporary folder is removed when every shard succeeded.
 */
final class Jobs {
    private final Cli.Parsed parsed;
    private final PrintStream out;
    private final PrintStream err;

    Jobs(Cli.Parsed parsed, String[] args, PrintStream out, PrintStream err) {
        this.parsed = parsed;
        this.out = out;
        this.err = err;
    }

    int run() {
        int n = parsed.jobs();
        Path jar = Path.of(System.getProperty("java.class.path", "")).toAbsolutePath();
        if (!Files.isRegularFile(jar) || !jar.toString().endsWith(".jar")) {
            err.println("iommulab: --jobs starts copies of iommulab.jar; run it as java -jar iommulab.jar (class path: " + jar + ")");
            return Cli.BAD_INPUT;
        }
        if (parsed.scenario() != null && !Files.isReadable(parsed.scenario())) {
            err.println("iommulab: scenario " + parsed.scenario() + ": cannot be read");
            return Cli.BAD_INPUT;
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path deploy = Path.of("deploy").toAbsolutePath();
        List<Process> children = new ArrayList<>();
        List<Path> logs = new ArrayList<>();
        List<Path> results = new ArrayList<>();
        Path work;
        try {
            work = Files.createTempDirectory("iommulab-jobs-");
            out.println("iommulab: --jobs " + n + ": " + n + " shards in " + work);
            for (int i = 1; i <= n; i++) {
                Path dir = Files.createDirectories(work.resolve("shard-" + i));
                if (Files.isDirectory(deploy)) {
                    Files.createSymbolicLink(dir.resolve("deploy"), deploy);
                }
                Path json = work.resolve("shard-" + i + ".json");
                List<String> cmd = new ArrayList<>(List.of(java));
                // A shard of the main job gets the options its relaunch would (Relaunch), and is
                // marked so that it runs the job itself instead of starting a JVM of its own; a
                // scenario's shard keeps C2, as an unsharded scenario does.
                if (parsed.scenario() == null) {
                    cmd.addAll(Relaunch.childOptions(Relaunch.archiveOf(jar)));
                }
                cmd.addAll(List.of("-D" + Relaunch.CHILD + "=true", "-jar", jar.toString()));
                if (parsed.scenario() != null) {
                    cmd.add("--scenario");
                    cmd.add(parsed.scenario().toAbsolutePath().toString());
                }
                if (parsed.cold()) {
                    cmd.add("--cold");
                }
                if (parsed.verbose()) {
                    cmd.add("--verbose");
                }
                cmd.addAll(List.of("--shard", i + "/" + n, "--json", json.toString()));
                Path log = work.resolve("shard-" + i + ".log");
                children.add(new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                        .redirectOutput(log.toFile()).start());
                logs.add(log);
                results.add(json);
            }
            List<Map<String, Object>> docs = new ArrayList<>();
            List<String> names = new ArrayList<>();
            int worst = Cli.OK;
            for (int i = 0; i < n; i++) {
                int status = children.get(i).waitFor();
                out.println("iommulab: shard " + (i + 1) + "/" + n + " exited " + status + " (log " + logs.get(i) + ")");
                if (status == Cli.BAD_INPUT || !Files.isRegularFile(results.get(i))) {
                    err.print(Files.readString(logs.get(i), StandardCharsets.UTF_8));
                    worst = status == Cli.OK ? Cli.FAILED : status;
                    continue;
                }
                docs.add(Merge.read(results.get(i)));
                names.add(results.get(i).toString());
            }
            if (worst != Cli.OK) {
                return worst;
            }
            Map<String, Object> merged = Merge.merge(docs, names);
            List<Map<String, Object>> records = Merge.records(merged);
            Merge.printTable(merged, out);
            if (parsed.json() != null) {
                ResultsFile.writeJson(merged, parsed.json());
            }
            if (parsed.csv() != null) {
                ResultsFile.writeCsv(records, parsed.csv());
            }
            int status = Summary.print(records, out);
            delete(work); // the shards' folders hold a framework cache each; their logs said nothing amiss
            return status;
        } catch (IOException | IllegalArgumentException e) {
            err.println("iommulab: --jobs: " + e.getMessage());
            return Cli.FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            children.forEach(Process::destroy);
            return Cli.FAILED;
        }
    }

    private static void delete(Path dir) throws IOException {
        try (java.util.stream.Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
