package org.iommulab.app.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the main job in a second JVM started with the options that suit a run of a few seconds,
 * which {@code java -jar} cannot take from the jar itself: the C1 compiler only
 * ({@code -XX:TieredStopAtLevel=1}; C2's compilations of the main job's code are mostly
 * finished only after the job is), the serial collector with a small young generation
 * ({@code -XX:+UseSerialGC -Xmn48m}: the job's short-lived buffers reuse memory already
 * touched rather than fault in new pages) and the class-data sharing archive the build writes
 * beside the jar ({@code iommulab.jsa}, every class the main job loads, JVM and bundles alike,
 * mapped instead of parsed). Measured on the project's 2-core host when the relaunch came in: the
 * main job took 2.4-2.8 s as a plain {@code java -jar}, 1.6-1.9 s in a JVM with C1 and the
 * archive, 1.8-1.95 s with this relaunch in front. The serial collector came later: medians of
 * ten alternated runs of the jar, 1,527 ms before and 1,424 ms after, together with the start
 * order of the devices' bundle (app/pom.xml).
 *
 * <p>This JVM only waits: the child inherits the working directory, the environment and the
 * standard streams, and its exit status becomes this one's. Stopping this JVM (SIGTERM, SIGINT)
 * stops the child first. The child gets the {@code -D} options this JVM was given.
 *
 * <p>Not relaunched, run in this JVM as before: any mode ({@code replay}, {@code tck},
 * {@code soak}, ...), {@code --shell} and {@code --console} (a terminal's signals and line
 * discipline belong to one process), {@code --jobs} (its parent starts JVMs of its own),
 * {@code --scenario} (a sweep may run for long, where C2 pays), a JVM given any option other
 * than {@code -D}, on the command line or in {@code JDK_JAVA_OPTIONS} / {@code JAVA_TOOL_OPTIONS}
 * (the user chose the JVM's options; a debugger's port would be taken twice), a JVM not started
 * with {@code -jar}, a class path that is not the jar, a platform that does not tell a process
 * its own command line, and {@code -Diommulab.relaunch=false}. When the child cannot be
 * started, the job runs here.
 */
public final class Relaunch {
    /** Set on the child: it runs the job itself. */
    static final String CHILD = "iommulab.relaunched";
    /** {@code -Diommulab.relaunch=false} keeps the job in the JVM that was started. */
    static final String SWITCH = "iommulab.relaunch";
    /** How long a stopping parent gives the child to stop before killing it. */
    static final long STOP_GRACE_SECONDS = 10;

    private Relaunch() {
    }

    /** True in the JVM a relaunch started (or a {@code --jobs} shard): it runs the job itself. */
    public static boolean isChild() {
        return System.getProperty(CHILD) != null;
    }

    /**
     * Relaunches when {@link #command} says to; returns the child's exit status, or null when
     * the job is to run in this JVM.
     */
    static Integer run(String[] args) throws InterruptedException {
        // The child (and a JVM told not to relaunch) decides here, before ProcessHandle's class
        // initialisation (its reaper's thread factory and lambdas: about 4 ms of the child's
        // main thread in an async-profiler profile) and before the jar is looked up.
        if (System.getProperty(CHILD) != null || "false".equalsIgnoreCase(System.getProperty(SWITCH))) {
            return null;
        }
        Path jar = ownJar();
        ProcessHandle.Info self = ProcessHandle.current().info();
        // The JVM options from the process's own command line (RuntimeMXBean has them too, but
        // loading java.management costs the parent ~35 ms); the environment's options reach the
        // child by themselves, and any of them turns the relaunch off (see command()).
        List<String> jvmArgs = jvmOptions(self.arguments().orElse(null));
        boolean envOptions = !isBlank(System.getenv("JDK_JAVA_OPTIONS")) || !isBlank(System.getenv("JAVA_TOOL_OPTIONS"));
        List<String> cmd = envOptions || jvmArgs == null ? null
                : command(Cli.parse(args), args, jvmArgs, System.getProperty(CHILD), System.getProperty(SWITCH),
                        self.command().orElse(null), jar, jar == null ? null : archiveOf(jar));
        if (cmd == null) {
            return null;
        }
        Process child;
        try {
            child = new ProcessBuilder(cmd).inheritIO().start();
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return null;
        }
        Thread stop = new Thread(() -> stop(child), "iommulab-relaunch-stop");
        Runtime.getRuntime().addShutdownHook(stop);
        return child.waitFor();
    }

    /**
     * The child's command line, or null to run the job in this JVM; everything it depends on is
     * a parameter, so that the decision is tested without starting anything.
     *
     * @param line the parsed command line
     * @param args the command line's words, given to the child unchanged
     * @param jvmArgs this JVM's input arguments
     * @param child the value of {@link #CHILD} here (null: not a child)
     * @param relaunch the value of {@link #SWITCH} here
     * @param java the java launcher to start (this JVM's own, so that the child runs the same
     *        Java), or null when unknown
     * @param jar the jar this class runs from, or null when it does not run from a jar
     * @param archive the class-data sharing archive beside the jar, or null when there is none
     */
    static List<String> command(Cli.Parsed line, String[] args, List<String> jvmArgs, String child, String relaunch,
            String java, Path jar, Path archive) {
        if (child != null || "false".equalsIgnoreCase(relaunch) || jar == null || java == null) {
            return null;
        }
        if (line.mode() != null || line.help() != null || line.error() != null || line.shell() || line.console() != null
                || line.jobs() != null || line.scenario() != null) {
            return null;
        }
        for (String a : jvmArgs) {
            if (!a.startsWith("-D")) {
                return null;
            }
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(childOptions(archive));
        cmd.addAll(jvmArgs);
        cmd.add("-D" + CHILD + "=true");
        cmd.add("-jar");
        cmd.add(jar.toString());
        cmd.addAll(List.of(args));
        return cmd;
    }

    /**
     * The JVM options for a run of the main job: C1 only, the serial collector, and the archive when there is one
     * ({@link Jobs} gives them to its shards too).
     */
    static List<String> childOptions(Path archive) {
        List<String> options = new ArrayList<>();
        // A JVM that does not know an option below starts without it rather than not at all.
        options.add("-XX:+IgnoreUnrecognizedVMOptions");
        options.add("-XX:TieredStopAtLevel=1");
        // The serial collector with a 48 MiB young generation: the job allocates several hundred
        // MiB of short-lived buffers, and G1 let its eden grow to some 300 MiB, so that nearly
        // every allocation touched memory the process had never used (some 79,000 page faults a run,
        // against 33,000 with a young generation reused after each collection). The archive
        // must be written under the same collector (app/pom.xml, class-data-archive).
        options.add("-XX:+UseSerialGC");
        options.add("-Xmn48m");
        if (archive != null) {
            options.add("-XX:SharedArchiveFile=" + archive);
            // An archive that does not match the jar (rebuilt, copied without it) is not used;
            // the JVM would say so on standard output, which is the job's.
            options.add("-Xlog:cds=off");
            options.add("-Xlog:cds+dynamic=off");
        }
        return options;
    }

    /**
     * The JVM options of a {@code java [options] -jar FILE [args]} command line's words after
     * the launcher: the words before {@code -jar}; null when there is no {@code -jar} (the JVM
     * was started some other way) or the words are unknown.
     */
    static List<String> jvmOptions(String[] words) {
        if (words == null) {
            return null;
        }
        for (int i = 0; i < words.length; i++) {
            if (words[i].equals("-jar")) {
                return List.of(words).subList(0, i);
            }
        }
        return null;
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }

    /** The archive the build writes beside {@code jar} ({@code iommulab.jsa}), or null. */
    static Path archiveOf(Path jar) {
        String name = jar.getFileName().toString();
        Path jsa = jar.resolveSibling(name.substring(0, name.length() - ".jar".length()) + ".jsa");
        return Files.isRegularFile(jsa) && Files.isReadable(jsa) ? jsa : null;
    }

    /** The jar this class was loaded from, or null (a class directory, an unknown source). */
    private static Path ownJar() {
        try {
            Path p = Path.of(Relaunch.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return Files.isRegularFile(p) && p.getFileName().toString().endsWith(".jar") ? p.toAbsolutePath() : null;
        } catch (Exception e) {
            return null;
        }
    }

    /** This JVM is stopping: the child stops too, killed when it does not within the grace period. */
    private static void stop(Process child) {
        if (!child.isAlive()) {
            return;
        }
        child.destroy();
        try {
            if (!child.waitFor(STOP_GRACE_SECONDS, TimeUnit.SECONDS)) {
                child.destroyForcibly();
            }
        } catch (InterruptedException e) {
            child.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
