package org.iommulab.app.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** The options of issue 17: --report FILE.html, --console [PORT], --console-password-file FILE. */
class CommandLineReportConsoleTest {
    private static CommandLine parse(String... args) {
        return CommandLine.parse(args);
    }

    @Test
    void reportInBothSpellingsWithOrWithoutAScenario() {
        assertEquals("r.html", parse("--report", "r.html").report());
        assertEquals("s.html", parse("--report=s.html").report());
        CommandLine both = parse("--scenario", "a.scenario", "--report", "r.html");
        assertEquals("a.scenario", both.scenario());
        assertEquals("r.html", both.report());
        assertNull(both.error());
    }

    @Test
    void reportIsRefusedWhereItDrawsNothing() {
        assertEquals("--report needs a file name", parse("--report").error());
        assertEquals("--report given twice", parse("--report", "a.html", "--report", "b.html").error());
        assertEquals("--report is for the main job's run (with or without --scenario) and replay, not for 'soak'",
                parse("--report", "a.html", "soak", "--swaps", "3").error());
        assertEquals("--report is for the main job's run (with or without --scenario) and replay, not for --shell",
                parse("--report", "a.html", "--shell").error());
        CommandLine replay = parse("--report", "a.html", "replay", "t.trace");
        assertNull(replay.error());
        assertEquals("replay", replay.mode());
        assertEquals("a.html", replay.report());
    }

    @Test
    void consoleTakesAnOptionalPort() {
        assertEquals(8080, parse("--console").console());
        assertEquals(9000, parse("--console", "9000").console());
        CommandLine withFile = parse("--console", "--console-password-file", "pw.txt");
        assertEquals(8080, withFile.console());
        assertEquals("pw.txt", withFile.consolePasswordFile());
        assertNull(parse("--report", "a.html").console());
    }

    @Test
    void consoleRunsAlone() {
        assertEquals("--console port 70000 is not between 1 and 65535", parse("--console", "70000").error());
        assertEquals("--console runs alone: no --shell, --scenario, --report or mode with it",
                parse("--console", "--shell").error());
        assertEquals("--console runs alone: no --shell, --scenario, --report or mode with it",
                parse("--console", "--report", "x.html").error());
        assertEquals("--console-password-file is for --console", parse("--console-password-file", "pw").error());
        assertEquals("--console-password-file needs a file name", parse("--console", "--console-password-file").error());
        assertEquals("--console given twice", parse("--console", "--console").error());
    }
}
