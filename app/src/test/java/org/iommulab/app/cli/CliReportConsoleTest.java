package org.iommulab.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The options of the pictures: --report FILE.html, --console [PORT], --console-password-file FILE. */
class CliReportConsoleTest {

    @Test
    void reportOnTheMainJobWithOrWithoutAScenario() {
        assertEquals(Path.of("r.html"), Cli.parse("--report", "r.html").report());
        assertEquals(Path.of("s.html"), Cli.parse("--report=s.html").report());
        Cli.Parsed both = Cli.parse("--scenario", "a.scenario", "--report", "r.html");
        assertEquals(Path.of("a.scenario"), both.scenario());
        assertEquals(Path.of("r.html"), both.report());
        assertNull(both.error());
    }

    @Test
    void reportOnTheReplayIsTheReplaysOptionAndNotPassedToTheService() {
        Cli.Parsed replay = Cli.parse("replay", "t.trace", "--report", "a.html", "--quiet");
        assertNull(replay.error());
        assertEquals("replay", replay.mode());
        assertEquals(Path.of("a.html"), replay.report());
        assertEquals(List.of("t.trace", "--quiet"), ((Cli.Replay) replay.command()).serviceArguments());
    }

    @Test
    void reportIsRefusedWhereItDrawsNothing() {
        String missing = Cli.parse("--report").error();
        assertTrue(missing != null && missing.contains("--report"), missing);
        assertEquals("--report is for the main job's run (with or without --scenario) and replay, not for --shell",
                Cli.parse("--report", "a.html", "--shell").error());
        // A main-job option before a mode is refused, as every other one is.
        String beforeMode = Cli.parse("--report", "a.html", "soak", "--swaps", "3").error();
        assertTrue(beforeMode != null && beforeMode.contains("takes no main-job options"), beforeMode);
    }

    @Test
    void consoleTakesAnOptionalPort() {
        assertEquals(8080, Cli.parse("--console").console());
        assertEquals(9000, Cli.parse("--console", "9000").console());
        Cli.Parsed withFile = Cli.parse("--console", "--console-password-file", "pw.txt");
        assertNull(withFile.error());
        assertEquals(8080, withFile.console());
        assertEquals(Path.of("pw.txt"), withFile.consolePasswordFile());
        assertNull(Cli.parse("--report", "a.html").console());
    }

    @Test
    void consoleRunsAlone() {
        assertEquals("--console port 70000 is not between 1 and 65535", Cli.parse("--console", "70000").error());
        String alone = "--console runs alone: no --shell, --scenario, --report, --json, --csv, --shard or --jobs with it";
        assertEquals(alone, Cli.parse("--console", "--shell").error());
        assertEquals(alone, Cli.parse("--console", "--report", "x.html").error());
        assertEquals("--console-password-file is for --console", Cli.parse("--console-password-file", "pw").error());
        String noFile = Cli.parse("--console", "--console-password-file").error();
        assertTrue(noFile != null && noFile.contains("--console-password-file"), noFile);
    }
}
