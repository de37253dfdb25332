package org.iommulab.replay.internal.input;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/** Lines cut at '\n', CR dropped, long lines cut at the limit, across read-buffer boundaries. */
class LineReaderTest {
    /** An input that hands out at most {@code chunk} bytes per read, so lines straddle reads. */
    private static InputStream trickle(String text, int chunk) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        return new ByteArrayInputStream(b) {
            @Override
            public synchronized int read(byte[] dst, int off, int len) {
                return super.read(dst, off, Math.min(len, chunk));
            }
        };
    }

    @Test
    void linesAcrossReadsCrDroppedLastLineUnterminated() throws IOException {
        for (int chunk : new int[] {1, 3, 7, 4096}) {
            LineReader r = new LineReader(trickle("ab\r\n\ncd é\nlast", chunk), 80);
            assertEquals("ab", r.next());
            assertEquals("", r.next());
            assertEquals("cd é", r.next());
            assertFalse(r.lastWasUnterminated());
            assertEquals("last", r.next());
            assertTrue(r.lastWasUnterminated());
            assertEquals(4, r.lineNumber());
            assertNull(r.next());
        }
    }

    @Test
    void aLineLongerThanTheLimitIsCutThereAndFlagged() throws IOException {
        String longLine = "x".repeat(100);
        for (int chunk : new int[] {1, 13, 4096}) {
            LineReader r = new LineReader(trickle(longLine + "\nnext\n", chunk), 80);
            assertEquals("x".repeat(80), r.next());
            assertTrue(r.lastWasTooLong());
            assertEquals("next", r.next());
            assertFalse(r.lastWasTooLong());
            assertNull(r.next());
        }
    }
}
