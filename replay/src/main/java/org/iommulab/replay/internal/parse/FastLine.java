package org.iommulab.replay.internal.parse;

import static org.iommulab.replay.internal.parse.ByteScan.*;

/**
 * The parser's hot path: reads an ASCII event line of the common kinds (dma_map_*, dma_unmap_*,
 * dma_sync_single_*, dma_alloc, dma_free, iommu:map, iommu:unmap) in place from the line's
 * bytes, with no string per line or per field: the task and device names come from a small
 * cache, numbers are read from the digits themselves. It takes only lines that {@link Prefix},
 * {@link LineParser} and {@link BodyParser} read without complaint, and gives the very event
 * they give; for anything else (a header, an unknown or malformed event, another format, an
 * odd number) it answers null and the caller parses the line as a string, so every problem is
 * still reported by the one code that words it. Mutable and reused: one per parser.
 *
 * <p>This class follows the line's structure (a kept shape, a recent prefix, the event name,
 * the fields part) and builds the event; the prefix is read by {@link FastPrefix}, the fields
 * part by {@link FastBody} through {@link BodyWords}, bytes scanned by {@link ByteScan} and
 * numbers read by {@link ByteNumbers}.
 */
final class FastLine {
    private final TraceEvent.Builder b = TraceEvent.builder(null);
    private final AsciiCache names = new AsciiCache();
    private final BodyWords w = new BodyWords();
    /** The prefix's fields: task, pid, CPU, context, timestamp. */
    private final FastPrefix p = new FastPrefix();
    /** The fields part's fields, into {@link #b}. */
    private final FastBody fields = new FastBody(b, w);
    private byte[] l;
    private final LineShapes shapes = new LineShapes();
    /**
     * The kept shape the current line has, or null: its words are already in {@link #w}, and
     * its device, direction and attributes are the shape's (read from equal bytes).
     */
    private LineShapes.Shape hit;
    /** The current line's start and its timestamp's start, for LineShapes (the dot is {@link #p}'s). */
    private int lineStart;
    private int tsStart;
    /** Lines read through a kept shape (for tests). */
    long shapeHits;

    /**
     * The event on ASCII line {@code line[from, to)}, the {@code lineNo}-th of the trace, or
     * null when the line is to be parsed as a string.
     */
    TraceEvent parse(byte[] line, int from, int to, long lineNo) {
        l = line;
        try {
            return event(from, to, lineNo);
        } catch (RuntimeException e) {
            return null; // an overflowing number and the like: the string parser words it
        } finally {
            l = null;
        }
    }

    private TraceEvent event(int from, int to, long lineNo) {
        // A line shaped as a recent one (equal bytes but for its timestamp's digits and its
        // numbers) has its task, pid, CPU, context, event name, words, device, direction and
        // attributes: only its timestamp and numbers are read.
        LineShapes.Shape sh = shapes.match(l, from, to);
        if (sh != null && p.shapedTimestamp(l, sh, from) && w.restore(l, sh, from)) {
            p.fromShape(sh);
            hit = sh;
            shapeHits++;
            try {
                return body(sh.kind, from + sh.body, from + sh.bodyEnd, lineNo);
            } finally {
                hit = null;
            }
        }
        lineStart = from;
        // A line that starts with the very bytes of a recent line's prefix, up to its
        // timestamp, has that line's task, pid, CPU and context: a trace's lines come from a
        // few tasks, and reading them again is most of the prefix's cost.
        int i = p.fromRecent(l, from, to);
        if (i >= 0) {
            i = skipSpaces(l, i, to);
            int tok = tokenEnd(l, i, to);
            if (tok == i || l[tok - 1] != ':') {
                return null;
            }
            return afterPrefix(i, tok, to, lineNo);
        }
        i = p.read(l, from, to);
        return i < 0 ? null : afterPrefix(i, tokenEnd(l, i, to), to, lineNo);
    }

    private TraceEvent afterPrefix(int i, int tok, int to, long lineNo) {
        if (!p.timestamp(l, i, tok - 1)) {
            return null;
        }
        tsStart = i;
        i = skipSpaces(l, tok, to);
        int n = identEnd(l, i, to);
        if (n == i || n >= to || l[n] != ':') {
            return null;
        }
        if (n + 1 < to && isIdentStart(l[n + 1])) { // system:name:
            int m = identEnd(l, n + 1, to);
            if (m >= to || l[m] != ':' || m + 1 < to && l[m + 1] != ' ') {
                return null;
            }
            n = m;
        } else if (n + 1 < to && l[n + 1] != ' ') {
            return null;
        }
        EventKind kind = kind(i, n);
        if (kind == null) {
            return null;
        }
        // LineParser.stripped: the fields part without the whitespace around it
        int body = n + 1;
        int bodyEnd = to;
        while (body < bodyEnd && isWhitespace(l[body])) {
            body++;
        }
        while (bodyEnd > body && isWhitespace(l[bodyEnd - 1])) {
            bodyEnd--;
        }
        TraceEvent e = body(kind, body, bodyEnd, lineNo);
        if (e != null && w.lastTemplate != null) {
            shapes.remember(l, lineStart, to, body, bodyEnd, b, w, tsStart, p.tsDot, tok - 1, p.task, p.pid, p.cpu,
                    p.context);
        }
        return e;
    }

    /** The event of {@code kind} whose fields part is {@code l[body, bodyEnd)}, or null. */
    private TraceEvent body(EventKind kind, int body, int bodyEnd, long lineNo) {
        b.resetCommon(kind); // the builder's other fields are never set here
        if (!fields.read(l, kind, body, bodyEnd, hit)) {
            return null;
        }
        b.line = lineNo;
        b.task = p.task;
        b.pid = p.pid;
        b.cpu = p.cpu;
        b.context = p.context;
        b.timestampNs = p.timestampNs;
        return b.buildCommon();
    }

    /** The names met so far and their events: a trace uses a handful. */
    private final byte[][] kindNames = new byte[16][];
    private final EventKind[] kinds = new EventKind[16];
    private int kindCount;

    /** The event named by {@code l[from, to)} ({@link EventKind#byName}), or null. */
    private EventKind kind(int from, int to) {
        int n = to - from;
        for (int k = 0; k < kindCount; k++) {
            byte[] name = kindNames[k];
            if (name.length == n && regionEquals(l, from, name)) {
                return kinds[k];
            }
        }
        EventKind kind = EventKind.byName(names.get(l, from, to));
        if (kind != null && kindCount < kinds.length) {
            kindNames[kindCount] = java.util.Arrays.copyOfRange(l, from, to);
            kinds[kindCount++] = kind;
        }
        return kind;
    }
}
