package org.iommulab.replay.internal.input;

import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
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
    private byte[] lineBytes;
    private int lineOffset;
    private int lineLength;
    private boolean ascii;
    /** Every byte of the current line so far OR-ed together: a bit 7 is a byte that is not ASCII. */
    private long or;
    private static final long HIGHS = 0x8080_8080_8080_8080L;
    private static final long ONES = 0x0101_0101_0101_0101L;
    private static final long NEWLINES = 0x0a0a_0a0a_0a0a_0a0aL;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

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
        return advance() ? new String(lineBytes, lineOffset, lineLength, StandardCharsets.UTF_8) : null;
    }

    /**
     * Moves to the next line without making a string of it: its bytes are then
     * {@link #bytes()}[{@link #offset()}, {@link #offset()} + {@link #length()}), valid until the
     * next call. The replay's parser reads most lines in place this way.
     *
     * @return false at the end of the input
     * @throws IOException from the input, for example a compressed stream that ends early
     */
    public boolean advance() throws IOException {
        if (eof) {
            return false;
        }
        int len = 0;
        or = 0;
        tooLong = false;
        while (true) {
            if (pos == limit) {
                limit = in.read(buf, 0, buf.length);
                pos = 0;
                if (limit <= 0) {
                    limit = 0;
                    eof = true;
                    if (len == 0 && !tooLong) {
                        return false;
                    }
                    unterminated = true;
                    return finish(line, 0, len, or);
                }
            }
            // Scan the buffer for the newline, then copy in bulk, not byte by byte.
            int nl = newline(pos);
            int n = nl - pos;
            if (nl < limit && len == 0 && n <= maxLineBytes) {
                // The whole line is in the buffer: it is read from there directly.
                finish(buf, pos, n, or);
                pos = nl + 1;
                unterminated = false;
                return true;
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
                return finish(line, 0, len, or);
            }
            pos = limit;
        }
    }

    /**
     * The index of the first '\n' in {@code buf[from, limit)}, or {@code limit}; ORs the bytes
     * before it into {@link #or}. Eight bytes a step (a little-endian long read, the newline
     * found by the has-zero-byte test on the word XOR '\n's): one unpredictable branch per line
     * instead of one per byte. The tail of the buffer, under eight bytes, a byte at a time.
     */
    private int newline(int from) {
        byte[] buf = this.buf;
        int i = from;
        long bits = or;
        int words = limit - 7;
        // two longs a step while no newline is in them (a line is some 20 of them): one
        // branch per sixteen bytes; the step that holds one goes on eight bytes at a time
        int pairs = limit - 15;
        while (i < pairs) {
            long w0 = (long) LONGS.get(buf, i);
            long w1 = (long) LONGS.get(buf, i + 8);
            long x0 = w0 ^ NEWLINES;
            long x1 = w1 ^ NEWLINES;
            if (((((x0 - ONES) & ~x0) | ((x1 - ONES) & ~x1)) & HIGHS) != 0) { // a zero byte: a newline
                break;
            }
            bits |= w0 | w1;
            i += 16;
        }
        while (i < words) {
            long w = (long) LONGS.get(buf, i);
            long x = w ^ NEWLINES;
            // bit 7 of the lowest byte of x that is zero is set (higher ones may be false hits)
            long hit = (x - ONES) & ~x & HIGHS;
            if (hit != 0) {
                int k = Long.numberOfTrailingZeros(hit) >>> 3;
                or = bits | w & ((1L << (k << 3)) - 1);
                return i + k;
            }
            bits |= w;
            i += 8;
        }
        while (i < limit) {
            byte c = buf[i];
            if (c == '\n') {
                break;
            }
            bits |= c;
            i++;
        }
        or = bits;
        return i;
    }

    private boolean finish(byte[] bytes, int off, int len, long or) {
        lineNumber++;
        if (len > 0 && bytes[off + len - 1] == '\r') {
            len--;
        }
        lineBytes = bytes;
        lineOffset = off;
        lineLength = len;
        ascii = (or & HIGHS) == 0;
        return true;
    }

    /** The array holding the current line ({@link #advance()}). */
    public byte[] bytes() {
        return lineBytes;
    }

    /** Where the current line starts in {@link #bytes()}. */
    public int offset() {
        return lineOffset;
    }

    /** The current line's length in bytes, without its line end. */
    public int length() {
        return lineLength;
    }

    /** True when every byte of the current line (including any cut-off part) is ASCII. */
    public boolean lastWasAscii() {
        return ascii;
    }

    /** The current line as a string. */
    public String text() {
        return new String(lineBytes, lineOffset, lineLength, StandardCharsets.UTF_8);
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
