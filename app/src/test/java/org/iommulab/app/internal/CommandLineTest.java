package org.iommulab.app.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class CommandLineTest {

    @Test
    void noArgumentsMeansBatch() {
        CommandLine line = CommandLine.parse(null);
        assertFalse(line.shell());
        assertNull(line.scenario());
        assertNull(line.mode());
        assertNull(line.error());
    }

    @Test
    void shellFlag() {
        assertTrue(CommandLine.parse(new String[] {"--shell"}).shell());
    }

    @Test
    void scenarioInBothSpellings() {
        assertEquals("a.scenario", CommandLine.parse(new String[] {"--scenario", "a.scenario"}).scenario());
        assertEquals("b.scenario", CommandLine.parse(new String[] {"--scenario=b.scenario"}).scenario());
    }

    @Test
    void aModeWordKeepsItsArgumentsVerbatim() {
        CommandLine line = CommandLine.parse(new String[] {"replay", "t.trace", "--backend", "direct"});
        assertEquals("replay", line.mode());
        assertEquals(List.of("replay", "t.trace", "--backend", "direct"), line.arguments());
        assertNull(line.error());
    }

    @Test
    void badCommandLinesSayWhy() {
        assertEquals("--scenario needs a file name", CommandLine.parse(new String[] {"--scenario"}).error());
        assertEquals("unknown option '--frobnicate'", CommandLine.parse(new String[] {"--frobnicate"}).error());
        assertEquals("--shell and --scenario exclude each other",
                CommandLine.parse(new String[] {"--shell", "--scenario", "x"}).error());
        assertEquals("--scenario given twice", CommandLine.parse(new String[] {"--scenario=a", "--scenario=b"}).error());
    }

    @Test
    void nonStringArrayIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> CommandLine.parse("--shell"));
    }
}
