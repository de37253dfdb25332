package org.iommulab.replay.internal.input;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads text lines with bounded memory: a line longer than {@code maxLineBytes} is cut there
 * (the rest is skipped up to its newline) and flagged, so one runaway line cannot exhaust the
 * heap. Lines end at '\n'; a trailing '\r' is dropped. Task names may be UTF-8.
 */
public final class LineReader {
    private final InputStream in;
    private final int maxLineBytes;
    private final byte[] buf = new byte[64 * 1024];
    private int pos;
    private int limit;
    private byte[] line = new byte[256];
    private long lineNumber;
    private boolean tooLong;
    private boolean unterminated;
    private boolean eof;

    public LineReader(InputStream in, int maxLineBytes) {
        if (maxLineBytes < 80) {
            throw new IllegalArgumentException("maximum line length must be at least 80 bytes, got " + maxLineBytes);
        }
        this.in = in;
        this.maxLineBytes = maxLineBytes;
    }

    /**
     * The next line, or null at the end of the input.
     *
     * @throws IOException from the input, for example a compressed stream that ends early
     */
    public String next() throws IOException {
        if (eof) {
            return null;
        }
        int len = 0;
        tooLong = false;
        while (true) {
            if (pos == limit) {
                limit = in.read(buf, 0, buf.length);
                pos = 0;
                if (limit <= 0) {
                    limit = 0;
                    eof = true;
                    if (len == 0 && !tooLong) {
                        return null;
                    }
                    unterminated = true;
                    return finish(line, 0, len);
                }
            }
            // Scan the buffer for the newline, then copy in bulk, not byte by byte.
            int nl = pos;
            while (nl < limit && buf[nl] != '\n') {
                nl++;
            }
            int n = nl - pos;
            if (nl < limit && len == 0 && n <= maxLineBytes) {
                // The whole line is in the buffer: the string is made from it directly.
                String s = finish(buf, pos, n);
                pos = nl + 1;
                unterminated = false;
                return s;
            }
            int take = Math.min(n, maxLineBytes - len);
            if (take < n) {
                tooLong = true; // bytes past the limit are skipped up to the newline
            }
            if (take > 0) {
                if (len + take > line.length) {
                    line = java.util.Arrays.copyOf(line, Math.max(len + take, Math.min(maxLineBytes, line.length * 2)));
                }
                System.arraycopy(buf, pos, line, len, take);
                len += take;
            }
            if (nl < limit) {
                pos = nl + 1;
                unterminated = false;
                return finish(line, 0, len);
            }
            pos = limit;
        }
    }

    private String finish(byte[] bytes, int off, int len) {
        lineNumber++;
        if (len > 0 && bytes[off + len - 1] == '\r') {
            len--;
        }
        return new String(bytes, off, len, StandardCharsets.UTF_8);
    }

    /** 1-based number of the line {@link #next()} returned last. */
    public long lineNumber() {
        return lineNumber;
    }

    /** True when the last line was longer than the limit and was cut. */
    public boolean lastWasTooLong() {
        return tooLong;
    }

    /** True when the last line had no newline: the input ended inside it. */
    public boolean lastWasUnterminated() {
        return unterminated;
    }
}
