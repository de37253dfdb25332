package org.iommulab.app.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class CommandLineTest {

    @Test
    void noArgumentsMeansBatch() {
        CommandLine line = CommandLine.parse(null);
        assertFalse(line.shell());
        assertEquals(List.of(), line.arguments());
    }

    @Test
    void shellFlagIsTakenOutOfTheArguments() {
        CommandLine line = CommandLine.parse(new String[] {"a", "--shell", "b"});
        assertTrue(line.shell());
        assertEquals(List.of("a", "b"), line.arguments());
    }

    @Test
    void nonStringArrayIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> CommandLine.parse("--shell"));
    }
}
