package org.iommulab.replay.internal.parse;

import org.iommulab.api.dma.DmaDirection;

/**
 * The last few event lines {@link FastLine} read through a format's template, from just after
 * the timestamp to the line's end, with their number values masked out: a trace prints the same
 * event of the same device in the same direction over and over, only its addresses changing. A
 * line of the same length whose bytes equal a kept line's outside its number values has that
 * line's event name, words and device, direction and attributes; only the numbers are read
 * ({@link BodyWords#restore}), and the result is what reading the line in full gives (a number
 * that is not a plain one sends the line the full way). Mutable: one per FastLine.
 */
final class LineShapes {
    private static final int SLOTS = 8;
    /** Longer lines (a dma_map_sg, a long device name) are not kept. */
    static final int MAX_BYTES = 256;

    /** One kept line: its bytes with the number values masked out, and what reading it found. */
    static final class Shape {
        /** The line's bytes from just after the timestamp, as little-endian longs, zero-padded. */
        final long[] packed = new long[MAX_BYTES / 8];
        /** By long: 0xff in each byte compared, 0 in number values and past the end. */
        final long[] masks = new long[MAX_BYTES / 8];
        final byte[] bytes = new byte[MAX_BYTES];
        int length;
        // what FastLine read: the event, where its body lies, and the fields from compared bytes
        EventKind kind;
        int body;
        int bodyEnd;
        String device;
        DmaDirection dir;
        int attrs;
        String unknownAttrs;
        // what BodyWords' template split found, relative to the same start
        final int[] starts = new int[BodyWords.MAX_WORDS];
        final int[] ends = new int[BodyWords.MAX_WORDS];
        int words;
        final int[] at = new int[BodyWords.KEY_COUNT];
        int found;
        boolean firstHasEquals;
        /** The number values: their key id (or {@link BodyWords#RAW_HEX}) and [start, end). */
        final int[] spanKeys = new int[BodyWords.MAX_WORDS];
        final int[] spanStarts = new int[BodyWords.MAX_WORDS];
        final int[] spanEnds = new int[BodyWords.MAX_WORDS];
        int spans;
    }

    private final Shape[] shapes = new Shape[SLOTS];
    private int count;
    /** The slot {@link #remember} fills next. */
    private int next;
    /** Scratch for {@link #remember}: 0xff for each byte compared. */
    private final byte[] compared = new byte[MAX_BYTES];
    /** The slot of the last match, tried first. */
    private int last;

    /** The kept shape of line {@code l[from, to)} (from just after its timestamp), or null. */
    Shape match(byte[] l, int from, int to) {
        int n = to - from;
        if (n > MAX_BYTES) {
            return null;
        }
        int c = count;
        for (int k = 0, s = last; k < c; k++, s = s + 1 == c ? 0 : s + 1) {
            Shape sh = shapes[s];
            if (sh.length == n && equalOutsideNumbers(sh, l, from, n)) {
                last = s;
                return sh;
            }
        }
        return null;
    }

    private static boolean equalOutsideNumbers(Shape sh, byte[] l, int from, int n) {
        int longs = (n + 7) >>> 3;
        // whole longs while they lie in the array (the bytes past the line are masked out)
        int whole = from + (longs << 3) <= l.length ? longs : n >>> 3;
        long[] packed = sh.packed;
        long[] masks = sh.masks;
        for (int j = 0; j < whole; j++) {
            if ((((long) BodyWords.LONGS.get(l, from + (j << 3)) ^ packed[j]) & masks[j]) != 0) {
                return false;
            }
        }
        for (int i = whole << 3; i < n; i++) {
            if ((masks[i >>> 3] >>> ((i & 7) << 3) & 0xff) != 0 && l[from + i] != sh.bytes[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Keeps line {@code l[from, to)} (from just after its timestamp), which FastLine read in full
     * through a template into {@code w} and {@code b}, its body being {@code l[body, bodyEnd)}.
     */
    void remember(byte[] l, int from, int to, int body, int bodyEnd, TraceEvent.Builder b, BodyWords w) {
        int n = to - from;
        if (n > MAX_BYTES) {
            return;
        }
        int k = next;
        next = (next + 1) % SLOTS;
        Shape sh = shapes[k];
        if (sh == null) {
            sh = shapes[k] = new Shape();
        }
        count = Math.max(count, k + 1);
        sh.length = n;
        System.arraycopy(l, from, sh.bytes, 0, n);
        java.util.Arrays.fill(sh.bytes, n, MAX_BYTES, (byte) 0);
        sh.kind = b.kind();
        sh.body = body - from;
        sh.bodyEnd = bodyEnd - from;
        sh.device = b.device;
        sh.dir = b.dir;
        sh.attrs = b.attrs;
        sh.unknownAttrs = b.unknownAttrs;
        w.capture(sh, from);
        byte[] compared = this.compared;
        java.util.Arrays.fill(compared, 0, n, (byte) 0xff);
        java.util.Arrays.fill(compared, n, MAX_BYTES, (byte) 0);
        for (int s = 0; s < sh.spans; s++) {
            java.util.Arrays.fill(compared, sh.spanStarts[s], sh.spanEnds[s], (byte) 0);
        }
        for (int j = 0, longs = (n + 7) >>> 3; j < longs; j++) { // match compares no more
            sh.packed[j] = (long) BodyWords.LONGS.get(sh.bytes, j << 3);
            sh.masks[j] = (long) BodyWords.LONGS.get(compared, j << 3);
        }
    }
}
