package org.iommulab.app.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

class TckOptionsTest {
    @Test
    void repeatableOptionsInBothSpellings() {
        TckOptions o = TckOptions.parse(List.of("--bundle", "a.jar", "--bundle=b.jar", "--backend", "vtd-iommu",
                "--check=partial-invalidation", "--junit", "out"));
        assertEquals(List.of(Path.of("a.jar"), Path.of("b.jar")), o.bundles());
        assertEquals(List.of("vtd-iommu"), o.backends());
        assertEquals(List.of("partial-invalidation"), o.checks());
        assertEquals(Path.of("out"), o.junit());
    }

    @Test
    void nothingMeansEverything() {
        TckOptions o = TckOptions.parse(List.of());
        assertTrue(o.bundles().isEmpty() && o.backends().isEmpty() && o.checks().isEmpty());
        assertNull(o.junit());
    }

    @Test
    void badArgumentsSayWhat() {
        // The messages are picocli's (the command line's model, org.iommulab.app.cli.Cli).
        assertEquals("Unmatched argument at index 1: 'x'", message("x"));
        assertEquals("Missing required parameter for option '--bundle' (FILE.jar)", message("--bundle"));
        assertEquals("Expected parameter for option '--backend' but found '--junit'", message("--backend", "--junit", "d"));
        assertEquals("option '--junit' (DIR) should be specified only once", message("--junit", "a", "--junit", "b"));
    }

    private static String message(String... args) {
        return assertThrows(IllegalArgumentException.class, () -> TckOptions.parse(List.of(args))).getMessage();
    }
}
