package org.iommulab.replay.internal.parse;

import java.nio.charset.StandardCharsets;

import static org.iommulab.replay.internal.parse.BodyWords.*;

import org.iommulab.api.dma.DmaDirection;

/**
 * The parser's hot path: reads an ASCII event line of the common kinds (dma_map_*, dma_unmap_*,
 * dma_sync_single_*, dma_alloc, dma_free, iommu:map, iommu:unmap) in place from the line's
 * bytes, with no string per line or per field: the task and device names come from a small
 * cache, numbers are read from the digits themselves. It takes only lines that {@link Prefix},
 * {@link LineParser} and {@link BodyParser} read without complaint, and gives the very event
 * they give; for anything else (a header, an unknown or malformed event, another format, an
 * odd number) it answers null and the caller parses the line as a string, so every problem is
 * still reported by the one code that words it. Mutable and reused: one per parser.
 */
final class FastLine {
    private static final byte[] IOMMU = ascii("IOMMU:");

    private final TraceEvent.Builder b = TraceEvent.builder(null);
    private final AsciiCache tasks = new AsciiCache();
    private final AsciiCache devices = new AsciiCache();
    private final AsciiCache names = new AsciiCache();
    private final BodyWords w = new BodyWords();
    private byte[] l;
    /** Fields of the prefix, as {@link Prefix} has them. */
    private int pid;
    private String task;
    private final RecentPrefixes recent = new RecentPrefixes();
    private final LineShapes shapes = new LineShapes();
    /**
     * The kept shape the current line has, or null: its words are already in {@link #w}, and
     * its device, direction and attributes are the shape's (read from equal bytes).
     */
    private LineShapes.Shape hit;
    /** The current line's start, its timestamp's start and its dot (-1: none), for LineShapes. */
    private int lineStart;
    private int tsStart;
    private int tsDot;
    /** Lines read through a kept shape (for tests). */
    long shapeHits;
    private int cpu;
    private int context;
    private long timestampNs;

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

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
        if (sh != null && shapedTimestamp(sh, from) && w.restore(l, sh, from)) {
            task = sh.task;
            pid = sh.pid;
            cpu = sh.cpu;
            context = sh.context;
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
        int i = recent.match(l, from, to);
        if (i >= 0) {
            task = recent.task;
            pid = recent.pid;
            cpu = recent.cpu;
            context = recent.context;
            i = skipSpaces(i, to);
            int tok = tokenEnd(i, to);
            if (tok == i || l[tok - 1] != ':') {
                return null;
            }
            return afterPrefix(i, tok, to, lineNo);
        }
        i = prefix(from, to);
        return i < 0 ? null : afterPrefix(i, tokenEnd(i, to), to, lineNo);
    }

    /**
     * Prefix.read, on bytes: sets the task, pid, CPU and context; the start of the timestamp,
     * or -1 when the line is the string parser's.
     */
    private int prefix(int from, int to) {
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
        for (int i = indexOf('[', from, to); i >= 0; i = indexOf('[', i + 1, to)) {
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
        int close = indexOf(']', open, to);
        cpu = digits(open + 1, close);
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
        pid = digits(d + 1, end + 1);
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
        int i = skipSpaces(close + 1, to);
        int tok = tokenEnd(i, to);
        if (tok == i) {
            return -1;
        }
        context = TraceEvent.TASK;
        if (l[tok - 1] != ':') { // latency flags
            context = context(i, tok);
            i = skipSpaces(tok, to);
            tok = tokenEnd(i, to);
            if (tok == i || l[tok - 1] != ':') {
                return -1;
            }
            // only a prefix with latency flags is kept: without them the token after the CPU
            // is the timestamp or the flags depending on bytes past the prefix
            recent.remember(l, from, i, task, pid, cpu, context);
        }
        return i;
    }

    private TraceEvent afterPrefix(int i, int tok, int to, long lineNo) {
        if (!timestamp(i, tok - 1)) {
            return null;
        }
        tsStart = i;
        i = skipSpaces(tok, to);
        int n = identEnd(i, to);
        if (n == i || n >= to || l[n] != ':') {
            return null;
        }
        if (n + 1 < to && isIdentStart(l[n + 1])) { // system:name:
            int m = identEnd(n + 1, to);
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
            shapes.remember(l, lineStart, to, body, bodyEnd, b, w, tsStart, tsDot, tok - 1, task, pid, cpu, context);
        }
        return e;
    }

    /** The event of {@code kind} whose fields part is {@code l[body, bodyEnd)}, or null. */
    private TraceEvent body(EventKind kind, int body, int bodyEnd, long lineNo) {
        b.resetCommon(kind); // the builder's other fields are never set here
        boolean read;
        switch (kind.format()) {
            case MAP: read = map(body, bodyEnd); break;
            case UNMAP: read = unmap(body, bodyEnd); break;
            case SYNC_SINGLE: read = syncSingle(body, bodyEnd); break;
            case ALLOC: read = alloc(body, bodyEnd); break;
            case FREE: read = free(body, bodyEnd); break;
            case IOMMU_MAP: read = iommuMap(body, bodyEnd); break;
            case IOMMU_UNMAP: read = iommuUnmap(body, bodyEnd); break;
            default: read = false;
        }
        if (!read) {
            return null;
        }
        b.line = lineNo;
        b.task = task;
        b.pid = pid;
        b.cpu = cpu;
        b.context = context;
        b.timestampNs = timestampNs;
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
            if (name.length == n && regionEquals(from, name)) {
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

    // ---- bodies (BodyParser, on bytes) -----------------------------------------------------

    /** BodyParser.deviceAndDir: false where it would throw (or the direction is a number). */
    private boolean deviceAndDir(int from, int to, int[] template) {
        if (hit != null) { // read from the same bytes when the shape was kept
            b.device = hit.device;
            b.dir = hit.dir;
            return true;
        }
        if (!w.split(l, from, to, template) || w.words == 0) {
            return false;
        }
        int s = w.starts[0];
        int e = w.ends[0];
        if (w.firstHasEquals) {
            return false;
        }
        int dir = w.at(K_DIR);
        if (dir < 0) {
            return false;
        }
        DmaDirection d = direction(l, w.valueStart(dir, DIR), w.ends[dir]);
        if (d == null) {
            return false;
        }
        b.device = devices.get(l, s, e);
        b.dir = d;
        return true;
    }

    private boolean attrs() {
        if (hit != null) { // read from the same bytes when the shape was kept
            b.attrs = hit.attrs;
            b.unknownAttrs = hit.unknownAttrs;
            return true;
        }
        int a = w.at(K_ATTRS);
        if (a < 0) {
            return false;
        }
        int s = w.valueStart(a, ATTRS);
        if (s == w.ends[a]) {
            b.attrs = 0;
            b.unknownAttrs = null;
            return true;
        }
        DmaSymbols.Attrs decoded = DmaSymbols.attrs(new String(l, s, w.ends[a] - s, StandardCharsets.US_ASCII));
        b.attrs = decoded.bits();
        b.unknownAttrs = decoded.unknown();
        return true;
    }

    /** dma_addr and a size above 0. */
    private boolean addrAndSize() {
        b.dmaAddr = w.hexField(K_DMA_ADDR);
        b.size = w.decField(K_SIZE);
        return b.dmaAddr != BAD && b.size != BAD && b.size != 0;
    }

    private boolean map(int from, int to) {
        if (!deviceAndDir(from, to, MAP) || !addrAndSize()) {
            return false;
        }
        b.physAddr = w.hexField(K_PHYS_ADDR);
        return b.physAddr != BAD && attrs();
    }

    private boolean unmap(int from, int to) {
        return deviceAndDir(from, to, UNMAP) && addrAndSize() && attrs();
    }

    private boolean syncSingle(int from, int to) {
        return deviceAndDir(from, to, SYNC_SINGLE) && addrAndSize();
    }

    private boolean alloc(int from, int to) {
        return deviceAndDir(from, to, null) && addrAndSize() && w.at(K_VIRT_ADDR) >= 0 && w.at(K_FLAGS) >= 0 && attrs();
    }

    private boolean free(int from, int to) {
        return deviceAndDir(from, to, null) && addrAndSize() && w.at(K_VIRT_ADDR) >= 0 && attrs();
    }

    /** BodyParser.iommu and iovaRange: "IOMMU:" then "iova=0x.. - 0x.." of the size printed. */
    private boolean iommuRange(int from, int to, int[] template) {
        if (hit == null && (to - from < IOMMU.length || !regionEquals(from, IOMMU)
                || !w.split(l, from + IOMMU.length, to, template))) {
            return false;
        }
        b.iova = w.hexField(K_IOVA);
        if (b.iova == BAD || w.words < 3 || w.ends[1] - w.starts[1] != 1 || l[w.starts[1]] != '-') {
            return false;
        }
        // the range end: read by restore when the line has a kept shape (the same value)
        long end = hit != null ? w.rawHex() : hex(w.starts[2], w.ends[2]);
        b.size = w.decField(K_SIZE);
        return end != BAD && b.size != BAD && end - b.iova == b.size;
    }

    private boolean iommuMap(int from, int to) {
        if (!iommuRange(from, to, IOMMU_MAP)) {
            return false;
        }
        b.physAddr = w.hexField(K_PADDR);
        return b.physAddr != BAD;
    }

    private boolean iommuUnmap(int from, int to) {
        if (!iommuRange(from, to, IOMMU_UNMAP)) {
            return false;
        }
        b.unmappedSize = w.decField(K_UNMAPPED_SIZE);
        return b.unmappedSize != BAD;
    }


    /**
     * Numbers.hex: 1 to 16 hex digits after an optional 0x. BAD for anything else, whose
     * error the string parser words; a value that is BAD's own bits also goes that way.
     */
    private long hex(int from, int to) {
        if (to - from >= 2 && l[from] == '0' && (l[from + 1] == 'x' || l[from + 1] == 'X')) {
            from += 2;
        }
        int n = to - from;
        if (n <= 0 || n > 16) {
            return BAD;
        }
        long v = 0;
        int i = from;
        for (; i + 8 <= to; i += 8) { // eight digits at a time, as BodyWords.hexValue
            long eight = hex8((long) LONGS.get(l, i));
            if (eight < 0) {
                return BAD;
            }
            v = v << 32 | eight;
        }
        for (; i < to; i++) {
            int d = HEX[l[i] & 0xff];
            if (d < 0) {
                return BAD;
            }
            v = v << 4 | d;
        }
        return v;
    }

    // ---- prefix helpers (Prefix, on bytes) -------------------------------------------------

    /** Integer.parseInt of the digits {@code l[from, to)}; throws past an int, as it does. */
    private int digits(int from, int to) {
        if (to - from > 9) {
            throw new NumberFormatException("too many digits"); // caught: the string way decides
        }
        int v = 0;
        for (int i = from; i < to; i++) {
            v = v * 10 + (l[i] - '0');
        }
        return v;
    }

    /** TraceEvent.context on the flags {@code l[from, to)}. */
    private int context(int from, int to) {
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
    private boolean timestamp(int from, int to) {
        if (from >= to || to - from > 30) {
            return false;
        }
        byte[] l = this.l;
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
    private boolean shapedTimestamp(LineShapes.Shape sh, int from) {
        byte[] l = this.l;
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

    private static final long ZERO_DIGITS = 0x3030_3030_3030_3030L;
    private static final long[] POWERS_OF_TEN = {1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000};

    /** Whether the eight bytes packed little-endian in {@code x} are all '0'..'9'. */
    static boolean eightDigits(long x) {
        // each byte: high nibble 3, and still 3 after adding 6 (so the low nibble is at most 9);
        // a byte that carries into the next is above 0xf9, itself no digit
        return ((x & 0xf0f0_f0f0_f0f0_f0f0L) | ((x + 0x0606_0606_0606_0606L) & 0xf0f0_f0f0_f0f0_f0f0L) >>> 4)
                == 0x3333_3333_3333_3333L;
    }

    /**
     * The value of the eight decimal digits packed little-endian in {@code x} (the first digit
     * in the low byte, the most significant): digit pairs, then quads, then the eight, by
     * multiplications that keep each partial sum in its own lane.
     */
    static long eightDigitsValue(long x) {
        long v = x - ZERO_DIGITS;
        v = v * 10 + (v >>> 8); // byte 2k: digit 2k * 10 + digit 2k+1
        return ((v & 0x0000_00ff_0000_00ffL) * (100 + (1_000_000L << 32))
                + ((v >>> 16) & 0x0000_00ff_0000_00ffL) * (1 + (10_000L << 32))) >>> 32;
    }

    private int indexOf(char c, int from, int to) {
        for (int i = from; i < to; i++) {
            if (l[i] == c) {
                return i;
            }
        }
        return -1;
    }

    private boolean regionEquals(int at, byte[] s) {
        return java.util.Arrays.equals(l, at, at + s.length, s, 0, s.length);
    }

    private int skipSpaces(int i, int to) {
        while (i < to && l[i] == ' ') {
            i++;
        }
        return i;
    }

    private int tokenEnd(int i, int to) {
        while (i < to && l[i] != ' ') {
            i++;
        }
        return i;
    }

    private int identEnd(int i, int to) {
        if (i >= to || !isIdentStart(l[i])) {
            return i;
        }
        i++;
        while (i < to && (isIdentStart(l[i]) || isDigit(l[i]))) {
            i++;
        }
        return i;
    }

    private static boolean isIdentStart(byte c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_';
    }

    private static boolean isDigit(byte c) {
        return c >= '0' && c <= '9';
    }

    /** Character.isWhitespace of an ASCII character. */
    private static boolean isWhitespace(byte c) {
        return c == ' ' || c >= 0x09 && c <= 0x0d || c >= 0x1c && c <= 0x1f;
    }
}
