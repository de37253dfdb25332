package org.iommulab.bench;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Row P8, not a JMH benchmark (it times whole processes): {@code java -jar iommulab.jar} (the
 * main job, as the README's first command runs it) from process start to exit, beside a
 * hello-world class run by the same {@code java} in the same run, each as a child process
 * whose output is discarded; both repeated, the medians compared. The runs alternate so that
 * load on the machine hits both alike.
 *
 * <p>Arguments: the jar (default {@code app/target/iommulab.jar}), the repetitions (default 5).
 * Prints {@code P8 jobMs=<ms> helloMs=<ms> reps=<n>}; exits non-zero when the job fails.
 */
public final class MainJobStartup {
    private MainJobStartup() {
    }

    /** The baseline: what any JVM costs to start and stop. */
    public static final class Hello {
        private Hello() {
        }

        public static void main(String[] args) {
            System.out.println("hello");
        }
    }

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args.length > 0 ? args[0] : "app/target/iommulab.jar");
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        long[] medians = measure(jar, reps);
        System.out.println(String.format(Locale.ROOT, "P8 jobMs=%d helloMs=%d reps=%d", medians[0], medians[1], reps));
    }

    /** The medians, in ms, of {@code reps} runs of the main job and of the hello-world class. */
    static long[] measure(Path jar, int reps) throws Exception {
        if (reps < 1) {
            throw new IllegalArgumentException("repetitions must be at least 1, got " + reps);
        }
        if (!Files.isRegularFile(jar)) {
            throw new IllegalArgumentException(jar + " does not exist: build it with the reactor first (bench/run does)");
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classes = Path.of(MainJobStartup.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .toString();
        // The main job's cache and its deploy/ folder are relative to where it runs; it runs where
        // a user runs it, the repository's root, so that it does what the README's command does.
        List<String> job = List.of(java, "-jar", jar.toAbsolutePath().toString());
        List<String> hello = List.of(java, "-cp", classes, Hello.class.getName());
        long[] jobMs = new long[reps];
        long[] helloMs = new long[reps];
        for (int i = 0; i < reps; i++) {
            helloMs[i] = run(hello);
            jobMs[i] = run(job);
        }
        Arrays.sort(jobMs);
        Arrays.sort(helloMs);
        return new long[] {jobMs[reps / 2], helloMs[reps / 2]};
    }

    /** Wall-clock milliseconds from starting the process to its exit; fails on a non-zero exit. */
    private static long run(List<String> command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectInput(ProcessBuilder.Redirect.from(nullFile()));
        long t0 = System.nanoTime();
        Process p = pb.start();
        int rc = p.waitFor();
        long ms = (System.nanoTime() - t0) / 1_000_000;
        if (rc != 0) {
            throw new IllegalStateException(String.join(" ", command) + " exited with " + rc);
        }
        return ms;
    }

    private static File nullFile() {
        return new File(File.separatorChar == '\\' ? "NUL" : "/dev/null");
    }
}
