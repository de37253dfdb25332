package org.iommulab.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** When the main job goes to a second JVM, and with which command line. */
class RelaunchTest {
    private static final Path JAR = Path.of("/opt/iommulab/iommulab.jar");
    private static final Path JSA = Path.of("/opt/iommulab/iommulab.jsa");

    private static List<String> plan(String[] args, List<String> jvmArgs, String child, String relaunch, Path archive) {
        return Relaunch.command(Cli.parse(args), args, jvmArgs, child, relaunch, "/usr/bin/java", JAR, archive);
    }

    @Test
    void theBareMainJobRunsInAChildWithC1TheArchiveAndTheSameWords() {
        assertEquals(List.of("/usr/bin/java", "-XX:+IgnoreUnrecognizedVMOptions", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmn48m", "-XX:SharedArchiveFile=" + JSA, "-Xlog:cds=off",
                "-Xlog:cds+dynamic=off", "-Diommulab.relaunched=true", "-jar", JAR.toString()),
                plan(new String[0], List.of(), null, null, JSA));
    }

    @Test
    void propertiesAndMainJobOptionsGoAlongAndNoArchiveMeansNone() {
        String[] args = {"--json", "out.json", "--verbose"};
        assertEquals(List.of("/usr/bin/java", "-XX:+IgnoreUnrecognizedVMOptions", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmn48m", "-Diommulab.timeline=true", "-Dx=1",
                "-Diommulab.relaunched=true", "-jar", JAR.toString(), "--json", "out.json", "--verbose"),
                plan(args, List.of("-Diommulab.timeline=true", "-Dx=1"), null, null, null));
    }

    @Test
    void modesShellConsoleJobsScenarioHelpAndBadLinesStayInThisJvm() {
        String[][] stay = {
            {"replay", "trace.txt"},
            {"tck"},
            {"soak", "--swaps", "5"},
            {"--shell"},
            {"--console", "8080"},
            {"--jobs", "2"},
            {"--scenario", "s.txt"},
            {"--help"},
            {"--no-such-option"},
        };
        for (String[] args : stay) {
            String words = String.join(" ", args);
            Cli.Parsed p = Cli.parse(args);
            // Each line but the last is a valid one: it stays for its own rule, not for an error.
            assertEquals(words.equals("--no-such-option"), p.error() != null, words + ": " + p.error());
            assertNull(plan(args, List.of(), null, null, JSA), words);
        }
    }

    @Test
    void aChildAnOptOutAnyJvmOptionOrNoJarOrNoJavaStayInThisJvm() {
        String[] none = new String[0];
        assertNull(plan(none, List.of(), "true", null, JSA), "already the child");
        assertNull(plan(none, List.of(), null, "false", JSA), "-Diommulab.relaunch=false");
        assertNull(plan(none, List.of(), null, "FALSE", JSA), "-Diommulab.relaunch=FALSE");
        assertNull(plan(none, List.of("-Xmx1g"), null, null, JSA), "a heap size");
        assertNull(plan(none, List.of("-Dx=1", "-agentlib:jdwp=transport=dt_socket,server=y,address=5005"), null, null, JSA),
                "a debugger");
        assertNull(Relaunch.command(Cli.parse(none), none, List.of(), null, null, "/usr/bin/java", null, null), "no jar");
        assertNull(Relaunch.command(Cli.parse(none), none, List.of(), null, null, null, JAR, null), "no java");
    }

    @Test
    void jvmOptionsAreTheWordsBeforeDashJar() {
        assertEquals(List.of(), Relaunch.jvmOptions(new String[] {"-jar", "a.jar"}));
        assertEquals(List.of("-Dx=1", "-Xmx1g"), Relaunch.jvmOptions(new String[] {"-Dx=1", "-Xmx1g", "-jar", "a.jar", "-jar"}));
        assertNull(Relaunch.jvmOptions(new String[] {"-cp", "a.jar", "org.iommulab.app.cli.Main"}), "not started with -jar");
        assertNull(Relaunch.jvmOptions(null), "unknown");
    }

    @Test
    void theArchiveIsTheJsaBesideTheJarWhenThereIsOne(@TempDir Path dir) throws IOException {
        Path jar = Files.createFile(dir.resolve("iommulab.jar"));
        assertNull(Relaunch.archiveOf(jar));
        Path jsa = Files.createFile(dir.resolve("iommulab.jsa"));
        assertEquals(jsa, Relaunch.archiveOf(jar));
        Files.delete(jsa);
        Files.createDirectory(jsa);
        assertNull(Relaunch.archiveOf(jar), "a directory is no archive");
    }
}
