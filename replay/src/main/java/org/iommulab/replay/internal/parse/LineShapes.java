package org.iommulab.replay.internal.parse;

import org.iommulab.api.dma.DmaDirection;

/**
 * The last few event lines {@link FastLine} read through a format's template, whole, with their
 * timestamp's digits and their number values masked out: a task prints the same event of the
 * same device in the same direction over and over, only its time and addresses changing. A line
 * of the same length whose bytes equal a kept line's outside those places has that line's task,
 * pid, CPU, context, event name, words, device, direction and attributes; only the timestamp
 * and the numbers are read ({@link BodyWords#restore}), and the result is what reading the line
 * in full gives (a place that does not hold a plain number sends the line the full way).
 * Mutable: one per FastLine.
 */
final class LineShapes {
    private static final int SLOTS = 16;
    /** Longer lines (a dma_map_sg, a long device name) are not kept. */
    static final int MAX_BYTES = 256;

    /** One kept line: its bytes with the number values masked out, and what reading it found. */
    static final class Shape {
        /** The line's bytes, as little-endian longs, zero-padded. */
        final long[] packed = new long[MAX_BYTES / 8];
        /** By long: 0xff in each byte compared, 0 in the timestamp's digits, number values and past the end. */
        final long[] masks = new long[MAX_BYTES / 8];
        final byte[] bytes = new byte[MAX_BYTES];
        int length;
        // what FastLine read: the prefix, the timestamp's seconds [tsStart, tsDot) and fraction
        // (tsDot, tsEnd), the event, where its body lies, and the fields from compared bytes
        String task;
        int pid;
        int cpu;
        int context;
        int tsStart;
        int tsDot;
        int tsEnd;
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
    /**
     * Up by one for a line of a kept shape, down by one for another, within [-32, 32]: below
     * -8 (most lines found none), only the last shape found is tried and only one line in
     * sixteen is kept, so a trace of more shapes than are kept spends little on them.
     */
    private int score;
    private int misses;
    /** By slot: its shape's length, looked at first. */
    private final int[] lengths = new int[SLOTS];
    /** The slot of the last match, tried first. */
    private int last;

    /** The kept shape of line {@code l[from, to)}, or null. */
    Shape match(byte[] l, int from, int to) {
        int n = to - from;
        if (n > MAX_BYTES) {
            return null;
        }
        int c = count;
        // while most lines find no shape, only the last one found is tried: a trace of more
        // shapes than are kept pays one comparison a line
        int tries = score < -8 ? Math.min(c, 1) : c;
        for (int k = 0, s = last; k < tries; k++, s = s + 1 == c ? 0 : s + 1) {
            if (lengths[s] == n && equalOutsideNumbers(shapes[s], l, from, n)) {
                last = s;
                if (score < 32) {
                    score++;
                }
                return shapes[s];
            }
        }
        if (score > -32) {
            score--;
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
     * Keeps line {@code l[from, to)}, which FastLine read in full through a template into
     * {@code w} and {@code b}, its body being {@code l[body, bodyEnd)}, its timestamp's seconds
     * {@code l[tsStart, tsDot)} and fraction {@code l(tsDot, tsEnd)}, its prefix saying
     * {@code task, pid, cpu, context}; not when the timestamp has no dot or more digits than
     * FastLine reads back here.
     */
    void remember(byte[] l, int from, int to, int body, int bodyEnd, TraceEvent.Builder b, BodyWords w, int tsStart,
            int tsDot, int tsEnd, String task, int pid, int cpu, int context) {
        int n = to - from;
        // a timestamp of 1 to 18 digits, a dot and 1 to 8 digits (read eight bytes at once,
        // which lie in the line: the prefix is before them)
        if (n > MAX_BYTES || tsDot < 0 || tsDot - tsStart < 1 || tsDot - tsStart > 18 || tsEnd - tsDot - 1 < 1
                || tsEnd - tsDot - 1 > 8 || tsEnd - from < 8) {
            return;
        }
        if (score < -8 && (++misses & 15) != 0) {
            return; // lines of many shapes: keeping each costs more than the few hits save
        }
        int k = next;
        next = (next + 1) % SLOTS;
        Shape sh = shapes[k];
        if (sh == null) {
            sh = shapes[k] = new Shape();
        }
        count = Math.max(count, k + 1);
        sh.length = n;
        lengths[k] = n;
        int longs = (n + 7) >>> 3; // match compares no more
        System.arraycopy(l, from, sh.bytes, 0, n);
        java.util.Arrays.fill(sh.bytes, n, longs << 3, (byte) 0);
        sh.tsStart = tsStart - from;
        sh.tsDot = tsDot - from;
        sh.tsEnd = tsEnd - from;
        sh.task = task;
        sh.pid = pid;
        sh.cpu = cpu;
        sh.context = context;
        sh.kind = b.kind();
        sh.body = body - from;
        sh.bodyEnd = bodyEnd - from;
        sh.device = b.device;
        sh.dir = b.dir;
        sh.attrs = b.attrs;
        sh.unknownAttrs = b.unknownAttrs;
        w.capture(sh, from);
        long[] masks = sh.masks;
        for (int j = 0; j < longs; j++) {
            sh.packed[j] = (long) BodyWords.LONGS.get(sh.bytes, j << 3);
            masks[j] = -1L;
        }
        if ((n & 7) != 0) {
            masks[longs - 1] = (1L << ((n & 7) << 3)) - 1; // the bytes past the end
        }
        for (int s = 0; s < sh.spans; s++) {
            unmask(masks, sh.spanStarts[s], sh.spanEnds[s]);
        }
        unmask(masks, sh.tsStart, sh.tsDot);
        unmask(masks, sh.tsDot + 1, sh.tsEnd);
    }

    /** Bytes {@code [from, to)} are not compared. */
    private static void unmask(long[] masks, int from, int to) {
        while (from < to) {
            int j = from >>> 3;
            int end = Math.min(to, (j + 1) << 3); // within long j
            int bits = (end - from) << 3;
            long range = (bits == 64 ? -1L : (1L << bits) - 1) << ((from & 7) << 3);
            masks[j] &= ~range;
            from = end;
        }
    }
}
