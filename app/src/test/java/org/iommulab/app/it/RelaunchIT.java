package org.iommulab.app.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * {@code java -jar iommulab.jar}, the README's main job, runs in a second JVM with C1 and the
 * class-data sharing archive the build wrote beside the jar, and prints the same table as in
 * the JVM the user started ({@code -Diommulab.relaunch=false}); the timeline says which JVM ran.
 */
class RelaunchIT {
    private static final Path JAR = Path.of(System.getProperty("iommulab.jar", "target/iommulab.jar"));
    private static final Path WORK = Path.of(System.getProperty("it.workdir", "target/it"));

    @Test
    void theMainJobRunsInTheRelaunchedJvmWithTheArchiveAndPrintsWhatItPrintsUnrelaunched() throws Exception {
        assertTrue(Files.isRegularFile(JAR.resolveSibling("iommulab.jsa")), "the build writes iommulab.jsa beside the jar");
        Run relaunched = run(fresh("relaunched"), "-Diommulab.timeline=true");
        assertEquals(0, relaunched.exit, relaunched.output);
        assertTrue(relaunched.output.contains(
                "this JVM: relaunched by iommulab.jar's Main, C1 only, serial GC, with the class-data sharing archive"), relaunched.output);
        Run direct = run(fresh("direct"), "-Diommulab.timeline=true", "-Diommulab.relaunch=false");
        assertEquals(0, direct.exit, direct.output);
        assertTrue(direct.output.contains("this JVM: started directly"), direct.output);
        assertEquals(table(direct.output), table(relaunched.output));
        assertTrue(table(relaunched.output).contains("every workload as expected"), relaunched.output);
    }

    /** The job's lines without the timeline and with host times blanked: the same both ways. */
    private static String table(String output) {
        StringBuilder b = new StringBuilder();
        for (String line : output.split("\n")) {
            if (line.startsWith("iommulab: timeline:")) {
                continue;
            }
            b.append(line.replaceAll("in [0-9.]+ s wall time", "in _ s wall time")
                    .replaceAll(" +[0-9]+ (clean|caught) ", " _ $1 ")).append('\n');
        }
        return b.toString();
    }

    private record Run(int exit, String output) {
    }

    private static Run run(Path dir, String... jvmOptions) throws Exception {
        assertTrue(Files.isRegularFile(JAR), "no " + JAR.toAbsolutePath() + ": run mvn verify");
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of(jvmOptions));
        cmd.add("-jar");
        cmd.add(JAR.toAbsolutePath().toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        // Options from the environment turn the relaunch off; the test asks for it both ways itself.
        pb.environment().remove("JDK_JAVA_OPTIONS");
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("java -jar iommulab.jar did not end");
        }
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    private static Path fresh(String name) throws Exception {
        Path dir = WORK.resolve("relaunch-" + name);
        if (Files.exists(dir)) {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(f -> f.toFile().delete());
            }
        }
        Files.createDirectories(dir);
        return dir;
    }
}
