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

    /**
     * Random lines of 0 to 300 bytes (so a newline falls at every offset of the scan's
     * sixteen-byte steps), some with a non-ASCII byte, handed out in reads of random sizes: each
     * line and its ASCII flag as a plain split of the bytes at '\n' gives them.
     */
    @Test
    void randomLinesAsAPlainSplitGivesThem() throws IOException {
        java.util.Random r = new java.util.Random(16);
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        java.util.List<byte[]> lines = new java.util.ArrayList<>();
        for (int n = 0; n < 5000; n++) {
            byte[] l = new byte[r.nextInt(301)];
            for (int i = 0; i < l.length; i++) {
                l[i] = (byte) (' ' + r.nextInt(95));
            }
            if (l.length > 0 && r.nextInt(8) == 0) {
                l[r.nextInt(l.length)] = (byte) (0x80 + r.nextInt(128));
            }
            lines.add(l);
            all.write(l, 0, l.length);
            all.write('\n');
        }
        byte[] bytes = all.toByteArray();
        InputStream in = new ByteArrayInputStream(bytes) {
            @Override
            public synchronized int read(byte[] dst, int off, int len) {
                return super.read(dst, off, Math.min(len, 1 + r.nextInt(40_000)));
            }
        };
        LineReader reader = new LineReader(in, 1024);
        for (byte[] l : lines) {
            assertTrue(reader.advance());
            byte[] got = java.util.Arrays.copyOfRange(reader.bytes(), reader.offset(), reader.offset() + reader.length());
            assertEquals(new String(l, StandardCharsets.ISO_8859_1), new String(got, StandardCharsets.ISO_8859_1));
            boolean ascii = true;
            for (byte b : l) {
                ascii &= b >= 0;
            }
            assertEquals(ascii, reader.lastWasAscii());
        }
        assertFalse(reader.advance());
    }
}
