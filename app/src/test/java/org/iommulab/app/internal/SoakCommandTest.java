package org.iommulab.app.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class SoakCommandTest {

    @Test
    void swapsAndSeedInBothSpellings() {
        SoakCommand.Arguments a = SoakCommand.parse(List.of("--swaps", "100000", "--seed=1"), 7);
        assertNull(a.error());
        assertEquals(100000, a.swaps());
        assertEquals(1, a.seed());
        assertTrue(a.seedGiven());
        assertEquals(List.of(), a.without());
        assertEquals(5, SoakCommand.parse(List.of("--swaps=5"), 7).swaps());
        assertEquals(100_000, SoakCommand.parse(List.of("--swaps", "100_000"), 7).swaps());
    }

    @Test
    void withoutASeedTheGivenDefaultIsUsedAndSaidToBe() {
        SoakCommand.Arguments a = SoakCommand.parse(List.of("--swaps", "10"), 42);
        assertEquals(42, a.seed());
        assertFalse(a.seedGiven());
    }

    @Test
    void backendsToLeaveOut() {
        assertEquals(List.of("generic", "smmu-v2"),
                SoakCommand.parse(List.of("--without", "generic", "--swaps", "3", "--without=smmu-v2"), 0).without());
    }

    @Test
    void badArgumentsSayWhy() {
        // The messages are picocli's (the command line's model, org.iommulab.app.cli.Cli).
        assertEquals("Missing required option: '--swaps=N'", SoakCommand.parse(List.of(), 0).error());
        assertEquals("Missing required option: '--swaps=N'", SoakCommand.parse(List.of("--seed", "1"), 0).error());
        assertEquals("soak: --swaps needs a positive whole number, got 0", SoakCommand.parse(List.of("--swaps", "0"), 0).error());
        assertEquals("Invalid value for option '--swaps': 'many' is not a whole number",
                SoakCommand.parse(List.of("--swaps", "many"), 0).error());
        assertEquals("Missing required parameter for option '--swaps' (N)", SoakCommand.parse(List.of("--swaps"), 0).error());
        assertEquals("Invalid value for option '--seed': 'x' is not a whole number",
                SoakCommand.parse(List.of("--swaps", "1", "--seed", "x"), 0).error());
        assertEquals("option '--swaps' (N) should be specified only once",
                SoakCommand.parse(List.of("--swaps", "1", "--swaps", "2"), 0).error());
        assertEquals("Missing required parameter for option '--without' (BACKEND)",
                SoakCommand.parse(List.of("--swaps", "1", "--without"), 0).error());
        assertEquals("Unmatched argument at index 3: 'now'", SoakCommand.parse(List.of("--swaps", "1", "now"), 0).error());
    }

    @Test
    void theUsageNamesTheCommand() {
        String usage = org.iommulab.app.cli.Cli.usage();
        assertTrue(usage.contains("soak [-h] [--verbose] [--seed=S] --swaps=N [--without=BACKEND]..."), usage);
    }
}
