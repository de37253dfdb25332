package org.iommulab.replay.internal.parse;

import static org.iommulab.replay.internal.parse.BodyWords.LONGS;
import static org.iommulab.replay.internal.parse.ByteNumbers.*;
import static org.iommulab.replay.internal.parse.ByteScan.*;

/**
 * {@link Prefix}, on bytes, for {@link FastLine}: an event line's task, pid, CPU, context and
 * timestamp, read in place (the task name from a small cache), or kept from a recent line whose
 * prefix bytes are equal ({@link RecentPrefixes}) or from a kept line shape. Where it would
 * read otherwise than Prefix it declines and the line is parsed as a string. Mutable and
 * reused: one per FastLine.
 */
final class FastPrefix {
    private final AsciiCache tasks = new AsciiCache();
    private final RecentPrefixes recent = new RecentPrefixes();
    /** Fields of the prefix, as {@link Prefix} has them. */
    int pid;
    String task;
    int cpu;
    int context;
    long timestampNs;
    /** The current line's timestamp's dot (-1: none), for LineShapes. */
    int tsDot;

    /** The task, pid, CPU and context of a line with kept shape {@code sh}. */
    void fromShape(LineShapes.Shape sh) {
        task = sh.task;
        pid = sh.pid;
        cpu = sh.cpu;
        context = sh.context;
    }

    /**
     * When {@code l[from, to)} starts with the very bytes of a recent line's prefix, up to its
     * timestamp, that line's task, pid, CPU and context, and the index past the kept bytes;
     * -1 otherwise (nothing set).
     */
    int fromRecent(byte[] l, int from, int to) {
        int i = recent.match(l, from, to);
        if (i >= 0) {
            task = recent.task;
            pid = recent.pid;
            cpu = recent.cpu;
            context = recent.context;
        }
        return i;
    }

    /**
     * Prefix.read, on bytes: sets the task, pid, CPU and context; the start of the timestamp,
     * or -1 when the line is the string parser's.
     */
    int read(byte[] l, int from, int to) {
        // LineParser.parseLine: a blank line or a '#' header is the string parser's
        int first = from;
        while (first < to && isWhitespace(l[first])) {
            first++;
        }
        if (first == to || l[first] == '#') {
            return -1;
        }
        // Prefix.read, on bytes
        int open = -1;
        for (int i = indexOf(l, '[', from, to); i >= 0; i = indexOf(l, '[', i + 1, to)) {
            if (i > from && l[i - 1] == ' ') {
                int j = i + 1;
                while (j < to && isDigit(l[j])) {
                    j++;
                }
                if (j > i + 1 && j < to && l[j] == ']') {
                    open = i;
                    break;
                }
            }
        }
        if (open < 0) {
            return -1;
        }
        int close = indexOf(l, ']', open, to);
        cpu = digits(l, open + 1, close);
        int end = open - 1;
        while (end >= from && l[end] == ' ') {
            end--;
        }
        if (end >= from && l[end] == ')') { // record-tgid column
            int paren = end;
            while (paren >= from && l[paren] != '(') {
                paren--;
            }
            if (paren < from) {
                return -1;
            }
            end = paren - 1;
            while (end >= from && l[end] == ' ') {
                end--;
            }
        }
        int d = end;
        while (d >= from && isDigit(l[d])) {
            d--;
        }
        if (d == end || d - from < 1 || l[d] != '-') {
            return -1;
        }
        pid = digits(l, d + 1, end + 1);
        int taskStart = from;
        int taskEnd = d;
        while (taskStart < taskEnd && isWhitespace(l[taskStart])) {
            taskStart++;
        }
        while (taskEnd > taskStart && isWhitespace(l[taskEnd - 1])) {
            taskEnd--;
        }
        if (taskStart == taskEnd) {
            return -1;
        }
        task = tasks.get(l, taskStart, taskEnd);
        int i = skipSpaces(l, close + 1, to);
        int tok = tokenEnd(l, i, to);
        if (tok == i) {
            return -1;
        }
        context = TraceEvent.TASK;
        if (l[tok - 1] != ':') { // latency flags
            context = context(l, i, tok);
            i = skipSpaces(l, tok, to);
            tok = tokenEnd(l, i, to);
            if (tok == i || l[tok - 1] != ':') {
                return -1;
            }
            // only a prefix with latency flags is kept: without them the token after the CPU
            // is the timestamp or the flags depending on bytes past the prefix
            recent.remember(l, from, i, task, pid, cpu, context);
        }
        return i;
    }

    /** TraceEvent.context on the flags {@code l[from, to)}. */
    private static int context(byte[] l, int from, int to) {
        if (to - from < 3) {
            return TraceEvent.TASK;
        }
        switch (l[from + 2]) {
            case 'h': case 'H': return TraceEvent.HARDIRQ;
            case 's': return TraceEvent.SOFTIRQ;
            case 'z': case 'Z': return TraceEvent.NMI;
            default: return TraceEvent.TASK;
        }
    }

    /**
     * Prefix.timestamp, on bytes, in one pass: digits with at most one '.', which is neither
     * first nor last; the fraction's first 9 digits are nanoseconds. An overflow throws, as
     * Prefix's exact arithmetic does (the caller then declines the line).
     */
    boolean timestamp(byte[] l, int from, int to) {
        if (from >= to || to - from > 30) {
            return false;
        }
        // up to 18 digits cannot overflow: only a longer token needs the exact sum
        boolean exact = to - from > 18;
        long secs = 0;
        int i = from;
        for (; i < to && isDigit(l[i]); i++) {
            secs = exact ? Math.addExact(Math.multiplyExact(secs, 10), l[i] - '0') : secs * 10 + (l[i] - '0');
        }
        if (i == to) {
            timestampNs = secs; // no dot
            tsDot = -1;
            return true;
        }
        tsDot = i;
        if (l[i] != '.' || i == from || i == to - 1) {
            return false;
        }
        int f = to - i - 1; // the fraction's digits, at least one
        if (f <= 8 && to >= 8) {
            // the eight bytes ending with the fraction, those before it taken as '0's: its
            // digits checked and read at once (the fraction of microseconds ftrace prints)
            long keep = -1L << ((8 - f) << 3); // little-endian: the fraction is the high bytes
            long x = (long) LONGS.get(l, to - 8) & keep | ZERO_DIGITS & ~keep;
            if (!eightDigits(x)) {
                return false; // a second dot too
            }
            timestampNs = Math.multiplyExact(secs, 1_000_000_000L) + eightDigitsValue(x) * POWERS_OF_TEN[9 - f];
            return true;
        }
        long nanos = 0;
        int fraction = 0;
        for (i++; i < to; i++) {
            byte c = l[i];
            if (!isDigit(c)) {
                return false; // a second dot too
            }
            if (fraction < 9) {
                nanos = nanos * 10 + (c - '0');
                fraction++;
            }
        }
        for (; fraction < 9; fraction++) {
            nanos *= 10;
        }
        timestampNs = Math.multiplyExact(secs, 1_000_000_000L) + nanos;
        return true;
    }

    /**
     * The timestamp of a line with kept shape {@code sh} at {@code from}: its seconds' and
     * fraction's places hold digits only (the dot and the ':' after are compared bytes), so
     * {@link #timestamp} reads the same token; the same value, into {@link #timestampNs}.
     * False when a place holds anything else (the line is then read in full).
     */
    boolean shapedTimestamp(byte[] l, LineShapes.Shape sh, int from) {
        long secs = 0;
        for (int i = from + sh.tsStart, end = from + sh.tsDot; i < end; i++) { // at most 18 digits: no overflow
            byte c = l[i];
            if (!isDigit(c)) {
                return false;
            }
            secs = secs * 10 + (c - '0');
        }
        int f = sh.tsEnd - sh.tsDot - 1; // 1 to 8 digits
        int end = from + sh.tsEnd;
        long keep = -1L << ((8 - f) << 3);
        long x = (long) LONGS.get(l, end - 8) & keep | ZERO_DIGITS & ~keep;
        if (!eightDigits(x)) {
            return false;
        }
        timestampNs = Math.multiplyExact(secs, 1_000_000_000L) + eightDigitsValue(x) * POWERS_OF_TEN[9 - f];
        return true;
    }
}
