package org.iommulab.replay.internal.parse;

import java.nio.charset.StandardCharsets;

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
    private static final byte[] DIR = ascii("dir");
    private static final byte[] DMA_ADDR = ascii("dma_addr");
    private static final byte[] SIZE = ascii("size");
    private static final byte[] PHYS_ADDR = ascii("phys_addr");
    private static final byte[] ATTRS = ascii("attrs");
    private static final byte[] VIRT_ADDR = ascii("virt_addr");
    private static final byte[] FLAGS = ascii("flags");
    private static final byte[] IOVA = ascii("iova");
    private static final byte[] PADDR = ascii("paddr");
    private static final byte[] UNMAPPED_SIZE = ascii("unmapped_size");
    private static final byte[] IOMMU = ascii("IOMMU:");
    private static final byte[] BIDIRECTIONAL = ascii("BIDIRECTIONAL");
    private static final byte[] TO_DEVICE = ascii("TO_DEVICE");
    private static final byte[] FROM_DEVICE = ascii("FROM_DEVICE");
    private static final byte[] NONE = ascii("NONE");
    /** The keys a body's words are looked up by: {@link #at}'s indexes. */
    private static final byte[][] KEYS = {DIR, DMA_ADDR, SIZE, PHYS_ADDR, ATTRS, VIRT_ADDR, FLAGS, IOVA, PADDR, UNMAPPED_SIZE};
    private static final int K_DIR = 0;
    private static final int K_DMA_ADDR = 1;
    private static final int K_SIZE = 2;
    private static final int K_PHYS_ADDR = 3;
    private static final int K_ATTRS = 4;
    private static final int K_VIRT_ADDR = 5;
    private static final int K_FLAGS = 6;
    private static final int K_IOVA = 7;
    private static final int K_PADDR = 8;
    private static final int K_UNMAPPED_SIZE = 9;
    /** The keys whose values split reads as hex, and as decimal. */
    private static final int HEX_KEYS = 1 << K_DMA_ADDR | 1 << K_PHYS_ADDR | 1 << K_IOVA | 1 << K_PADDR;
    private static final int DEC_KEYS = 1 << K_SIZE | 1 << K_UNMAPPED_SIZE;
    /** By key id: its bytes 0-7 and 8-15, packed ({@link #pack}). */
    private static final long[] PACKED0 = new long[KEYS.length];
    private static final long[] PACKED1 = new long[KEYS.length];

    static {
        for (int k = 0; k < KEYS.length; k++) {
            PACKED0[k] = pack(KEYS[k], 0);
            PACKED1[k] = pack(KEYS[k], 1);
        }
    }
    /** Hex digit values by byte, -1 for the rest. */
    private static final byte[] HEX = new byte[256];

    static {
        java.util.Arrays.fill(HEX, (byte) -1);
        for (int c = '0'; c <= '9'; c++) {
            HEX[c] = (byte) (c - '0');
        }
        for (int c = 'a'; c <= 'f'; c++) {
            HEX[c] = (byte) (c - 'a' + 10);
            HEX[c - 'a' + 'A'] = (byte) (c - 'a' + 10);
        }
    }

    /** More words than any format this reads has: such a line goes the string way. */
    private static final int MAX_WORDS = 24;

    private final TraceEvent.Builder b = TraceEvent.builder(null);
    private final AsciiCache tasks = new AsciiCache();
    private final AsciiCache devices = new AsciiCache();
    private final AsciiCache names = new AsciiCache();
    /** The words of the body: [starts[i], ends[i]) in the line's array. */
    private final int[] starts = new int[MAX_WORDS];
    private final int[] ends = new int[MAX_WORDS];
    private int words;
    /** By key id: the first word {@code key=...} of the body (Fields.opt's choice), where {@link #found} says there is one. */
    private final int[] at = new int[KEYS.length];
    /** By number key id: its value as split read it (BAD when not a plain number). */
    private final long[] values = new long[KEYS.length];
    /** Bit k: key id k has a word in {@link #at}. */
    private int found;
    /** The first word holds a '='. */
    private boolean firstHasEquals;
    private byte[] l;
    /** Fields of the prefix, as {@link Prefix} has them. */
    private int pid;
    private int cpu;
    private int context;
    private long timestampNs;

    private static byte[] ascii(String s) {
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
        // LineParser.parseLine: a blank line or a '#' header is the string parser's
        int first = from;
        while (first < to && isWhitespace(l[first])) {
            first++;
        }
        if (first == to || l[first] == '#') {
            return null;
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
            return null;
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
                return null;
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
            return null;
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
            return null;
        }
        int i = skipSpaces(close + 1, to);
        int tok = tokenEnd(i, to);
        if (tok == i) {
            return null;
        }
        context = TraceEvent.TASK;
        if (l[tok - 1] != ':') { // latency flags
            context = context(i, tok);
            i = skipSpaces(tok, to);
            tok = tokenEnd(i, to);
            if (tok == i || l[tok - 1] != ':') {
                return null;
            }
        }
        if (!timestamp(i, tok - 1)) {
            return null;
        }
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
        b.reset(kind);
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
        b.task = tasks.get(l, taskStart, taskEnd);
        b.pid = pid;
        b.cpu = cpu;
        b.context = context;
        b.timestampNs = timestampNs;
        return b.build();
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
    private boolean deviceAndDir(int from, int to) {
        if (!split(from, to) || words == 0) {
            return false;
        }
        int s = starts[0];
        int e = ends[0];
        if (firstHasEquals) {
            return false;
        }
        int dir = at(K_DIR);
        if (dir < 0) {
            return false;
        }
        DmaDirection d = direction(valueStart(dir, DIR), ends[dir]);
        if (d == null) {
            return false;
        }
        b.device = devices.get(l, s, e);
        b.dir = d;
        return true;
    }

    private boolean attrs() {
        int a = at(K_ATTRS);
        if (a < 0) {
            return false;
        }
        int s = valueStart(a, ATTRS);
        if (s == ends[a]) {
            b.attrs = 0;
            b.unknownAttrs = null;
            return true;
        }
        DmaSymbols.Attrs decoded = DmaSymbols.attrs(new String(l, s, ends[a] - s, StandardCharsets.US_ASCII));
        b.attrs = decoded.bits();
        b.unknownAttrs = decoded.unknown();
        return true;
    }

    /** dma_addr and a size above 0. */
    private boolean addrAndSize() {
        b.dmaAddr = hexField(K_DMA_ADDR);
        b.size = decField(K_SIZE);
        return b.dmaAddr != BAD && b.size != BAD && b.size != 0;
    }

    private boolean map(int from, int to) {
        if (!deviceAndDir(from, to) || !addrAndSize()) {
            return false;
        }
        b.physAddr = hexField(K_PHYS_ADDR);
        return b.physAddr != BAD && attrs();
    }

    private boolean unmap(int from, int to) {
        return deviceAndDir(from, to) && addrAndSize() && attrs();
    }

    private boolean syncSingle(int from, int to) {
        return deviceAndDir(from, to) && addrAndSize();
    }

    private boolean alloc(int from, int to) {
        return deviceAndDir(from, to) && addrAndSize() && at(K_VIRT_ADDR) >= 0 && at(K_FLAGS) >= 0 && attrs();
    }

    private boolean free(int from, int to) {
        return deviceAndDir(from, to) && addrAndSize() && at(K_VIRT_ADDR) >= 0 && attrs();
    }

    /** BodyParser.iommu and iovaRange: "IOMMU:" then "iova=0x.. - 0x.." of the size printed. */
    private boolean iommuRange(int from, int to) {
        if (to - from < IOMMU.length || !regionEquals(from, IOMMU) || !split(from + IOMMU.length, to)) {
            return false;
        }
        b.iova = hexField(K_IOVA);
        if (b.iova == BAD || words < 3 || ends[1] - starts[1] != 1 || l[starts[1]] != '-') {
            return false;
        }
        long end = hex(starts[2], ends[2]);
        b.size = decField(K_SIZE);
        return end != BAD && b.size != BAD && end - b.iova == b.size;
    }

    private boolean iommuMap(int from, int to) {
        if (!iommuRange(from, to)) {
            return false;
        }
        b.physAddr = hexField(K_PADDR);
        return b.physAddr != BAD;
    }

    private boolean iommuUnmap(int from, int to) {
        if (!iommuRange(from, to)) {
            return false;
        }
        b.unmappedSize = decField(K_UNMAPPED_SIZE);
        return b.unmappedSize != BAD;
    }

    // ---- words (Fields, on bytes) ----------------------------------------------------------

    /**
     * Fields.split, Fields.opt and the number fields' Numbers.hex / Numbers.dec in one forward
     * pass: the space-separated words of {@code l[from, to)}; for each key the first word
     * {@code key=...} ({@link #at}), the key told by its bytes packed as they are read, and for
     * the number keys the value read as the scan passes over it ({@link #values}); false when
     * there are too many words.
     */
    private boolean split(int from, int to) {
        byte[] l = this.l;
        int words = 0;
        int found = 0;
        firstHasEquals = false;
        int i = from;
        while (true) {
            while (i < to && l[i] == ' ') {
                i++;
            }
            if (i >= to) {
                break;
            }
            if (words == MAX_WORDS) {
                return false;
            }
            int start = i;
            // the key: the word up to its first '=', packed 8 bytes a long
            long k0 = 0;
            long k1 = 0;
            while (i < to) {
                byte c = l[i];
                if (c == ' ' || c == '=') {
                    break;
                }
                int n = i - start;
                if (n < 8) {
                    k0 |= (long) (c & 0xff) << (n << 3);
                } else if (n < 16) {
                    k1 |= (long) (c & 0xff) << ((n - 8) << 3);
                }
                i++;
            }
            if (i < to && l[i] == '=') {
                if (words == 0) {
                    firstHasEquals = true;
                }
                // "key=" matches where the word's first '=' follows the key (no key holds one)
                int k = key(i - start, k0, k1);
                i++;
                if (k >= 0 && (found & 1 << k) == 0) {
                    found |= 1 << k;
                    at[k] = words;
                    if ((HEX_KEYS & 1 << k) != 0) {
                        i = hexValue(l, i, to, k);
                    } else if ((DEC_KEYS & 1 << k) != 0) {
                        i = decValue(l, i, to, k);
                    }
                }
                while (i < to && l[i] != ' ') {
                    i++;
                }
            }
            starts[words] = start;
            ends[words] = i;
            words++;
        }
        this.words = words;
        this.found = found;
        return true;
    }

    /**
     * Numbers.hex of the value at {@code l[from, ...)} up to the word's end, into
     * {@link #values}[k]: 1 to 16 hex digits after an optional 0x, BAD for anything else.
     * Returns the word's end.
     */
    private int hexValue(byte[] l, int from, int to, int k) {
        int i = from;
        if (i + 1 < to && l[i] == '0' && (l[i + 1] == 'x' || l[i + 1] == 'X')) {
            i += 2;
        }
        int digits = i;
        long v = 0;
        int bad = 0;
        while (i < to) {
            byte c = l[i];
            if (c == ' ') {
                break;
            }
            int d = HEX[c & 0xff];
            bad |= d; // -1 sets the sign bit
            v = v << 4 | (d & 0xf);
            i++;
        }
        int n = i - digits;
        values[k] = bad < 0 || n <= 0 || n > 16 ? BAD : v;
        return i;
    }

    /**
     * Numbers.dec for plain digits that cannot overflow (at most 18) of the value at
     * {@code l[from, ...)} up to the word's end, into {@link #values}[k]; BAD otherwise.
     * Returns the word's end.
     */
    private int decValue(byte[] l, int from, int to, int k) {
        int i = from;
        long v = 0;
        boolean bad = false;
        while (i < to) {
            int c = l[i];
            if (c == ' ') {
                break;
            }
            bad |= c < '0' || c > '9';
            v = v * 10 + (c - '0');
            i++;
        }
        int n = i - from;
        values[k] = bad || n <= 0 || n > 18 ? BAD : v;
        return i;
    }

    /** The first word {@code key=...} of key id {@code k}, or -1. */
    private int at(int k) {
        return (found & 1 << k) != 0 ? at[k] : -1;
    }

    /** The id of the key of {@code length} bytes packed as k0, k1 ({@link #pack}), or -1. */
    private static int key(int length, long k0, long k1) {
        int k;
        switch (length) {
            case 3: k = K_DIR; break;
            case 4: k = k0 == PACKED0[K_SIZE] ? K_SIZE : K_IOVA; break;
            case 5: k = k0 == PACKED0[K_ATTRS] ? K_ATTRS : k0 == PACKED0[K_PADDR] ? K_PADDR : K_FLAGS; break;
            case 8: k = K_DMA_ADDR; break;
            case 9: k = k0 == PACKED0[K_PHYS_ADDR] ? K_PHYS_ADDR : K_VIRT_ADDR; break;
            case 13: k = K_UNMAPPED_SIZE; break;
            default: return -1;
        }
        return k0 == PACKED0[k] && k1 == PACKED1[k] ? k : -1;
    }

    /** Bytes {@code [8 * part, 8 * part + 8)} of {@code key} packed as split packs them. */
    private static long pack(byte[] key, int part) {
        long v = 0;
        for (int n = 8 * part; n < Math.min(key.length, 8 * part + 8); n++) {
            v |= (long) (key[n] & 0xff) << ((n - 8 * part) << 3);
        }
        return v;
    }

    private int valueStart(int word, byte[] key) {
        return starts[word] + key.length + 1;
    }

    /** Not a value any field here can have (they are unsigned, or sizes below 2^63). */
    private static final long BAD = Long.MIN_VALUE;

    /** Numbers.hex of the field of key id {@code k} (read by split); BAD when absent or not plain hex. */
    private long hexField(int k) {
        return (found & 1 << k) != 0 ? values[k] : BAD;
    }

    /** Numbers.dec of the field of key id {@code k} (read by split); BAD when absent or not plain decimal digits. */
    private long decField(int k) {
        return (found & 1 << k) != 0 ? values[k] : BAD;
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
        for (int i = from; i < to; i++) {
            int d = HEX[l[i] & 0xff];
            if (d < 0) {
                return BAD;
            }
            v = v << 4 | d;
        }
        return v;
    }

    /** DmaSymbols.direction for the four names; null for anything else (the string parser decides). */
    private DmaDirection direction(int from, int to) {
        int n = to - from;
        if (n == TO_DEVICE.length && regionEquals(from, TO_DEVICE)) {
            return DmaDirection.TO_DEVICE;
        }
        if (n == FROM_DEVICE.length && regionEquals(from, FROM_DEVICE)) {
            return DmaDirection.FROM_DEVICE;
        }
        if (n == BIDIRECTIONAL.length && regionEquals(from, BIDIRECTIONAL)) {
            return DmaDirection.BIDIRECTIONAL;
        }
        if (n == NONE.length && regionEquals(from, NONE)) {
            return DmaDirection.NONE;
        }
        return null;
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
        int dot = -1;
        long secs = 0;
        long nanos = 0;
        int fraction = 0;
        for (int i = from; i < to; i++) {
            byte c = l[i];
            if (c == '.' && dot < 0) {
                dot = i;
            } else if (!isDigit(c)) {
                return false;
            } else if (dot < 0) {
                secs = Math.addExact(Math.multiplyExact(secs, 10), c - '0');
            } else if (fraction < 9) {
                nanos = nanos * 10 + (c - '0');
                fraction++;
            }
        }
        if (dot == from || dot == to - 1) {
            return false;
        }
        if (dot < 0) {
            timestampNs = secs;
            return true;
        }
        for (; fraction < 9; fraction++) {
            nanos *= 10;
        }
        timestampNs = Math.multiplyExact(secs, 1_000_000_000L) + nanos;
        return true;
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

    /**
     * Strings of ASCII byte ranges, the same string for the same bytes while it stays in the
     * cache: a trace names few tasks and devices, over and over. Direct-mapped, so bounded.
     */
    static final class AsciiCache {
        private static final int SLOTS = 256;
        private final byte[][] keys = new byte[SLOTS][];
        private final String[] values = new String[SLOTS];
        /**
         * The last two strings handed out: lines near each other name the same one or two tasks
         * and devices, which are then found without hashing.
         */
        private byte[] lastKey = new byte[0];
        private String lastValue = "";
        private byte[] otherKey = new byte[0];
        private String otherValue = "";

        String get(byte[] l, int from, int to) {
            if (equal(lastKey, l, from, to)) {
                return lastValue;
            }
            byte[] k;
            String v;
            if (equal(otherKey, l, from, to)) {
                k = otherKey;
                v = otherValue;
            } else {
                int slot = slot(l, from, to);
                if (!equal(keys[slot], l, from, to)) {
                    keys[slot] = java.util.Arrays.copyOfRange(l, from, to);
                    values[slot] = new String(l, from, to - from, StandardCharsets.US_ASCII);
                }
                k = keys[slot];
                v = values[slot];
            }
            otherKey = lastKey;
            otherValue = lastValue;
            lastKey = k;
            lastValue = v;
            return v;
        }

        private static int slot(byte[] l, int from, int to) {
            int h = 0;
            for (int i = from; i < to; i++) {
                h = 31 * h + l[i];
            }
            return (h ^ h >>> 8 ^ h >>> 16) & (SLOTS - 1);
        }

        private static boolean equal(byte[] k, byte[] l, int from, int to) {
            return k != null && k.length == to - from && java.util.Arrays.equals(k, 0, k.length, l, from, to);
        }
    }
}
