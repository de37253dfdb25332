package org.iommulab.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The performance rows of the project, each measured beside its baseline in the same run, and
 * one table of them: row, measure, figure, baseline, ratio, goal, met. JMH runs the rows that
 * time a call (through its Java API, one fork each; P6's two-thread runs three, and take the
 * median); rows P5 (heap per live mapping, in a JVM
 * of its own) and P8 (whole processes) are timed by plain mains. The table goes to stdout and
 * to {@code bench/target/summary.md}.
 *
 * <p>Options: {@code --quick} (1 x 1 s warm-up, 2 x 1 s measured, fewer repetitions: a smoke
 * run, not a measurement), {@code --rows P1,P7} (only those rows), {@code --out FILE}.
 * Default: 1 fork (P6: three, the median taken), 3 x 1 s warm-up, 5 x 1 s measured, every row.
 */
public final class Summary {
    private static final String PKG = Summary.class.getPackageName() + ".";

    private final boolean quick;
    private final List<Row> table = new ArrayList<>();

    private Summary(boolean quick) {
        this.quick = quick;
    }

    /** One line of the table; {@code lowerIsBetter} says which side of {@code goal} meets it. */
    static final class Row {
        final String id;
        final String measure;
        final String figure;
        final String baseline;
        final double ratio;
        final boolean lowerIsBetter;
        final double goal;
        final String unit;

        Row(String id, String measure, String figure, String baseline, double ratio, boolean lowerIsBetter, double goal,
                String unit) {
            this.id = id;
            this.measure = measure;
            this.figure = figure;
            this.baseline = baseline;
            this.ratio = ratio;
            this.lowerIsBetter = lowerIsBetter;
            this.goal = goal;
            this.unit = unit;
        }

        Row withBaseline(String other) {
            return new Row(id, measure, figure, other, ratio, lowerIsBetter, goal, unit);
        }

        boolean met() {
            return !Double.isNaN(ratio) && (lowerIsBetter ? ratio <= goal : ratio >= goal);
        }

        String goalText() {
            return (lowerIsBetter ? "<= " : ">= ") + fmt(goal) + unit;
        }

        String ratioText() {
            return Double.isNaN(ratio) ? "failed" : fmt(ratio) + unit;
        }
    }

    public static void main(String[] args) throws Exception {
        boolean quick = false;
        Set<String> rows = new LinkedHashSet<>(List.of("P1", "P2", "P3", "P4", "P5", "P6", "P7", "P8", "P9"));
        Path out = Path.of("bench", "target", "summary.md");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--summary":
                    break;
                case "--quick":
                    quick = true;
                    break;
                case "--rows":
                    rows = new LinkedHashSet<>();
                    for (String r : value(args, ++i, "--rows").split(",")) {
                        rows.add(r.trim().toUpperCase(Locale.ROOT));
                    }
                    break;
                case "--out":
                    out = Path.of(value(args, ++i, "--out"));
                    break;
                default:
                    throw new IllegalArgumentException("unknown option " + args[i]
                            + " (the summary takes --quick, --rows P1,P2,..., --out FILE)");
            }
        }
        Summary s = new Summary(quick);
        List<String> failures = new ArrayList<>();
        for (String r : rows) {
            try {
                s.run(r);
            } catch (Exception | Error e) {
                failures.add(r + ": " + e);
                System.err.println("bench: row " + r + " failed: " + e);
                e.printStackTrace();
            }
        }
        String md = s.markdown(failures);
        System.out.println();
        System.out.print(md);
        if (out.getParent() != null) {
            Files.createDirectories(out.getParent());
        }
        Files.writeString(out, md, StandardCharsets.UTF_8);
        System.out.println("bench: summary written to " + out);
        if (!failures.isEmpty()) {
            System.exit(1);
        }
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    private void run(String row) throws Exception {
        switch (row) {
            case "P1":
                ratioRow("P1", "smmu-v3 strict 4 KiB mapPage+unmapPage via the per-device DmaApi, checker off, 1024 live"
                        + " ÷ TreeMap put+remove, 1024 keys", PerDeviceMapBenchmark.class, "mapUnmapPage",
                        "baselineTreeMapPutRemove", Map.of(), true, 2.0);
                // Not the row: the same call on a lazy domain (iommu.strict=0), whose unmap
                // queues the IOVA for a flush instead of a TLBI and CMD_SYNC of its own.
                ratioRow("P1 (lazy)", "the same on a lazy domain (iommu.strict=0: the IOVA waits in the flush"
                        + " queue; a full ring or the 10 ms timer flushes the domain's TLB)",
                        PerDeviceMapBenchmark.class, "mapUnmapPage", "baselineTreeMapPutRemove", Map.of("mode", "lazy"),
                        true, 2.0);
                break;
            case "P2":
                ratioRow("P2", "64 KiB device read through smmu-v3, warm IOTLB ÷ System.arraycopy 64 KiB; both averaged over the 64 source/destination alignments in a cache line",
                        DeviceReadBenchmark.class, "deviceRead64K", "baselineArraycopy64K", Map.of(), true, 1.25);
                // Not the row: the same read on a lazy domain, whose port also asks the
                // flush queue about every page it translates.
                ratioRow("P2 (lazy)", "the same on a lazy domain (iommu.strict=0: each page translated is also"
                        + " checked against the flush queue)", DeviceReadBenchmark.class, "deviceRead64K",
                        "baselineArraycopy64K", Map.of("mode", "lazy"), true, 1.25);
                break;
            case "P3":
                ratioRow("P3", "swiotlb 64 KiB BIDIRECTIONAL map+unmap ÷ two arraycopies of 64 KiB (64 MiB pool)",
                        SwiotlbBenchmark.class, "mapUnmapBidirectional", "baselineTwoArraycopies",
                        Map.of("size", "65536", "poolMiB", "64"), true, 1.2);
                // Not the row: the same with a 1 MiB pool, whose slots stay in the CPU
                // cache, to tell the bookkeeping's cost from the cache misses of Linux's slot walk.
                ratioRow("P3 (1 MiB pool)", "the same, 1 MiB pool: slots stay in cache (the copy and bookkeeping"
                        + " alone)", SwiotlbBenchmark.class, "mapUnmapBidirectional", "baselineTwoArraycopies",
                        Map.of("size", "65536", "poolMiB", "1"), true, 1.2);
                // Not the row either: the 64 MiB pool beside two copies that walk a
                // 64 MiB array the same way, so both sides miss the cache alike.
                ratioRow("P3 (same traffic)", "the same, 64 MiB pool ÷ two arraycopies whose window walks a 64 MiB"
                        + " array as the slots do", SwiotlbBenchmark.class, "mapUnmapBidirectional",
                        "baselineTwoArraycopiesWalkingPool", Map.of("size", "65536", "poolMiB", "64"), true, 1.2);
                break;
            case "P4":
                ratioRow("P4", "map_sg of 64 discontiguous pages into one IOVA range (4 segments at the 64 KiB max segment size) + unmap (generic, strict)"
                        + " ÷ 64 single map+unmap pairs", IommuDmaBenchmark.class, "mapSg64DiscontiguousPages",
                        "map64SinglePages", Map.of(), true, 0.08);
                break;
            case "P5":
                liveMappingRows();
                break;
            case "P6":
                scalingRows();
                break;
            case "P7":
                checkerRows();
                break;
            case "P8":
                startupRow();
                break;
            case "P9":
                replayRow();
                break;
            default:
                throw new IllegalArgumentException("no row " + row + " (rows are P1 to P9)");
        }
    }

    // ---- JMH ------------------------------------------------------------------------------------

    private ChainedOptionsBuilder options(Class<?> benchmark, Collection<String> methods, Map<String, String> params) {
        ChainedOptionsBuilder o = new OptionsBuilder()
                .include("^" + Pattern.quote(benchmark.getName()) + "\\.(" + String.join("|", methods) + ")$")
                .forks(1)
                .warmupIterations(quick ? 1 : 3).warmupTime(TimeValue.seconds(1))
                .measurementIterations(quick ? 2 : 5).measurementTime(TimeValue.seconds(1))
                .shouldFailOnError(true);
        params.forEach(o::param);
        return o;
    }

    /** Runs the benchmarks; their scores by "method" or "method param=value ..." (params sorted). */
    private static Map<String, RunResult> jmh(ChainedOptionsBuilder o) throws RunnerException {
        Map<String, RunResult> byKey = new TreeMap<>();
        for (RunResult r : new Runner(o.build()).run()) {
            String name = r.getParams().getBenchmark();
            StringBuilder key = new StringBuilder(name.substring(name.lastIndexOf('.') + 1));
            for (String p : new java.util.TreeSet<>(r.getParams().getParamsKeys())) {
                key.append(' ').append(p).append('=').append(r.getParams().getParam(p));
            }
            byKey.put(key.toString(), r);
        }
        return byKey;
    }

    private static RunResult get(Map<String, RunResult> results, String key) {
        RunResult r = results.get(key);
        if (r == null) {
            throw new IllegalStateException("JMH gave no result for " + key + "; it gave " + results.keySet());
        }
        return r;
    }

    private static double score(RunResult r) {
        return r.getPrimaryResult().getScore();
    }

    private static String scoreText(RunResult r) {
        return fmt(score(r)) + " " + r.getPrimaryResult().getScoreUnit();
    }

    /** A row whose ratio is the measured average time over the baseline's, both from one JMH run. */
    private void ratioRow(String id, String measure, Class<?> benchmark, String measured, String baseline,
            Map<String, String> params, boolean lowerIsBetter, double goal) throws RunnerException {
        Map<String, RunResult> res = jmh(options(benchmark, List.of(measured, baseline), params));
        RunResult m = only(res, measured);
        RunResult b = only(res, baseline);
        table.add(new Row(id, measure, scoreText(m), scoreText(b), score(m) / score(b), lowerIsBetter, goal, ""));
    }

    /** The one result of {@code method}, whatever its parameters. */
    private static RunResult only(Map<String, RunResult> results, String method) {
        RunResult found = null;
        for (Map.Entry<String, RunResult> e : results.entrySet()) {
            if (e.getKey().equals(method) || e.getKey().startsWith(method + " ")) {
                if (found != null) {
                    throw new IllegalStateException("more than one result for " + method + ": " + results.keySet());
                }
                found = e.getValue();
            }
        }
        if (found == null) {
            throw new IllegalStateException("JMH gave no result for " + method + "; it gave " + results.keySet());
        }
        return found;
    }

    /**
     * Forks of each P6 run. One fork of a two-thread run lands high or low for its whole length
     * (where the JIT and the scheduler leave the two threads), so a single fork's figure is the
     * luck of that fork; each figure of P6 is the median of this many forks' scores instead.
     */
    static final int SCALING_FORKS = 3;

    private void scalingRows() throws RunnerException {
        for (String mode : List.of("strict", "lazy")) {
            boolean strict = mode.equals("strict");
            // Not the rows when lazy: the same calls on lazy domains (iommu.strict=0), whose
            // unmaps queue their IOVAs instead of a TLBI and CMD_SYNC on the SMMU's one command queue.
            String id = strict ? "P6" : "P6 (lazy)";
            String on = strict ? "" : ", lazy domains";
            List<String> methods = List.of("mapUnmapOwnDevice", "mapUnmapSharedDevice");
            Map<String, RunResult> one = jmh(scalingOptions(methods, mode, 1));
            Map<String, RunResult> two = jmh(scalingOptions(methods, mode, 2));
            table.add(scalingRow(id, "smmu-v3 map+unmap throughput, 2 threads on 2 devices of one SMMU ÷ 1 thread,"
                    + " checker off" + on, only(two, "mapUnmapOwnDevice"), only(one, "mapUnmapOwnDevice"), 1.6));
            table.add(scalingRow(id, "smmu-v3 map+unmap throughput, 2 threads on 1 device ÷ 1 thread, checker off" + on,
                    only(two, "mapUnmapSharedDevice"), only(one, "mapUnmapSharedDevice"), 1.4));
        }
        // Not the row: each thread on a platform of its own (its own SMMU), nothing shared
        // but the machine: how far this machine lets the same path scale at all.
        List<String> alone = List.of("mapUnmapOwnPlatform");
        RunResult alone1 = only(jmh(scalingOptions(alone, "strict", 1)), alone.get(0));
        RunResult alone2 = only(jmh(scalingOptions(alone, "strict", 2)), alone.get(0));
        table.add(scalingRow("P6 (own SMMUs)", "the same path, each thread on a platform and SMMU of its own ÷ 1"
                + " thread (nothing shared: what this machine allows)", alone2, alone1, 1.6));
    }

    private ChainedOptionsBuilder scalingOptions(List<String> methods, String mode, int threads) {
        return options(ParallelMapBenchmark.class, methods, Map.of("mode", mode)).forks(quick ? 1 : SCALING_FORKS)
                .threads(threads);
    }

    /** A P6 row: the medians of the forks' scores, two threads over one, the forks' scores shown. */
    private static Row scalingRow(String id, String measure, RunResult two, RunResult one, double goal) {
        double[] t = forkScores(two);
        double[] o = forkScores(one);
        return new Row(id, measure, forksText(two, t), forksText(one, o), median(t) / median(o), false, goal, "");
    }

    /** Each fork's score (JMH keeps one BenchmarkResult a fork), in fork order. */
    static double[] forkScores(RunResult r) {
        return r.getBenchmarkResults().stream().mapToDouble(b -> b.getPrimaryResult().getScore()).toArray();
    }

    /** The median: the middle value, or the mean of the two middle values of an even count. */
    static double median(double[] values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("no values to take the median of");
        }
        double[] v = values.clone();
        java.util.Arrays.sort(v);
        int m = v.length / 2;
        return v.length % 2 == 1 ? v[m] : (v[m - 1] + v[m]) / 2;
    }

    /** "4.73 ops/us (forks 4.70, 4.73, 5.10)", or the one score of a single fork. */
    private static String forksText(RunResult r, double[] forks) {
        String unit = r.getPrimaryResult().getScoreUnit();
        if (forks.length == 1) {
            return fmt(forks[0]) + " " + unit;
        }
        StringBuilder b = new StringBuilder(fmt(median(forks))).append(' ').append(unit).append(" (forks ");
        for (int i = 0; i < forks.length; i++) {
            b.append(i == 0 ? "" : ", ").append(fmt(forks[i]));
        }
        return b.append(')').toString();
    }

    private void checkerRows() throws RunnerException {
        Map<String, RunResult> res = jmh(options(CheckerOverheadBenchmark.class, List.of("mapUnmap"), Map.of()));
        Row worst = null;
        List<Row> rows = new ArrayList<>();
        for (String backend : Rig.BACKENDS) {
            for (String dir : List.of("TO_DEVICE", "FROM_DEVICE", "BIDIRECTIONAL")) {
                String key = "mapUnmap backend=" + backend + " checker=%s direction=" + dir;
                RunResult on = get(res, String.format(key, "on"));
                RunResult off = get(res, String.format(key, "off"));
                Row r = new Row("P7", "4 KiB map+mapping_error+unmap, " + backend + " " + dir
                        + ", checker on ÷ off", scoreText(on), scoreText(off), score(on) / score(off), true, 1.5, "");
                rows.add(r);
                if (worst == null || r.ratio > worst.ratio) {
                    worst = r;
                }
            }
        }
        table.add(new Row("P7", "checker on ÷ off, worst of every backend and direction: "
                + worst.measure.substring(worst.measure.indexOf(", ") + 2, worst.measure.lastIndexOf(", checker")),
                worst.figure, worst.baseline, worst.ratio, true, 1.5, ""));
        table.addAll(rows);
    }

    private void replayRow() throws RunnerException {
        Map<String, RunResult> res = jmh(options(ReplayBenchmark.class, List.of("replayCalls", "baselineReadLines"),
                Map.of("backend", "smmu-v3")));
        RunResult replay = only(res, "replayCalls");
        RunResult read = only(res, "baselineReadLines");
        // Both are throughputs over the same trace (calls/s): the replay is slower by read ÷ replay.
        table.add(new Row("P9", "a 20,000-call trace replayed in-process on smmu-v3 (checker on) ÷ reading its"
                + " lines", scoreText(replay), scoreText(read), score(read) / score(replay), true, 5.0, ""));
    }

    // ---- plain mains ----------------------------------------------------------------------------

    private void liveMappingRows() throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // A JVM of its own, so that the used heap holds the platform and nothing of JMH's.
        Process p = new ProcessBuilder(java, "-Xmx4g", "-cp", System.getProperty("java.class.path"),
                LiveMappingScale.class.getName(), "1000000", quick ? "5000" : "20000").redirectErrorStream(true)
                .start();
        Pattern line = Pattern.compile("P5 (\\S+) live=(\\d+) bytesPerMapping=([0-9.]+) median1K=(\\d+) median1M=(\\d+)");
        Pattern baseline = Pattern.compile("P5 baseline long\\[\\] bytesPerEntry=([0-9.]+)");
        String longArray = "-";
        List<Row> bytes = new ArrayList<>();
        List<Row> medians = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String s; (s = r.readLine()) != null; ) {
                System.out.println(s);
                Matcher base = baseline.matcher(s);
                if (base.matches()) {
                    longArray = "a long[] entry: " + base.group(1) + " B";
                }
                Matcher m = line.matcher(s);
                if (m.matches()) {
                    String backend = m.group(1);
                    double b = Double.parseDouble(m.group(3));
                    long k = Long.parseLong(m.group(4));
                    long g = Long.parseLong(m.group(5));
                    bytes.add(new Row("P5", "heap per live mapping at 1,000,000 live, " + backend
                            + " (platform table + IOVA tree + page tables), checker off", fmt(b) + " B", "-", b, true,
                            64, " B"));
                    medians.add(new Row("P5", backend + " map+unmap median at 1M live ÷ at 1K live", g + " ns",
                            k + " ns", g / (double) k, true, 1.5, ""));
                }
            }
        }
        int rc = p.waitFor();
        if (rc != 0 || bytes.isEmpty()) {
            throw new IllegalStateException("LiveMappingScale exited with " + rc + " after " + bytes.size() + " rows");
        }
        for (Row b : bytes) {
            // The long[] is weighed after the backends: its figure is the baseline of every heap row.
            table.add(b.withBaseline(longArray));
        }
        table.addAll(medians);
    }

    private void startupRow() throws Exception {
        int reps = quick ? 3 : 5;
        long[] ms = MainJobStartup.measure(Path.of("app", "target", "iommulab.jar"), reps);
        table.add(new Row("P8", "main job (java -jar app/target/iommulab.jar), cold JVM to exit ÷ a JVM hello-world,"
                + " medians of " + reps, ms[0] + " ms", ms[1] + " ms", ms[0] / (double) ms[1], true, 20, "x"));
    }

    // ---- the table ------------------------------------------------------------------------------

    private String markdown(List<String> failures) {
        StringBuilder b = new StringBuilder();
        b.append("| row | measure | figure | baseline (same run) | ratio | goal | met |\n");
        b.append("|---|---|---|---|---|---|---|\n");
        for (Row r : table) {
            b.append("| ").append(r.id).append(" | ").append(r.measure).append(" | ").append(r.figure).append(" | ")
                    .append(r.baseline).append(" | ").append(r.ratioText()).append(" | ").append(r.goalText())
                    .append(" | ").append(r.met() ? "yes" : "no").append(" |\n");
        }
        b.append('\n').append(quick ? "Quick run (1 fork, 1 x 1 s warm-up, 2 x 1 s measured): a smoke test, not a"
                + " measurement." : "1 fork, 3 x 1 s warm-up, 5 x 1 s measured (P6: " + SCALING_FORKS
                + " forks, the median of the forks' scores).");
        b.append(" Java ").append(System.getProperty("java.version")).append(", ")
                .append(Runtime.getRuntime().availableProcessors()).append(" CPUs, ").append(Instant.now()).append(".\n");
        for (String f : failures) {
            b.append("\nFAILED: ").append(f).append('\n');
        }
        return b.toString();
    }

    static String fmt(double v) {
        double a = Math.abs(v);
        if (a >= 1000) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (a >= 100) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        if (a >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        if (a >= 1) {
            return String.format(Locale.ROOT, "%.2f", v);
        }
        return String.format(Locale.ROOT, "%.3f", v);
    }
}
