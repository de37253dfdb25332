package org.iommulab.replay.internal.parse;

/**
 * A hand-written reader of the ftrace line prefix ("task-pid [cpu] flags timestamp: name:"),
 * the hot path of the parser; {@link LineParser} falls back to its regular expressions for any
 * line this does not take. Mutable and reused: one per parser.
 */
final class Prefix {
    String task;
    int pid;
    int cpu;
    long timestampNs;
    /** {@link TraceEvent#TASK}, {@link TraceEvent#SOFTIRQ}, {@link TraceEvent#HARDIRQ} or {@link TraceEvent#NMI}. */
    int context;
    String name;
    /** Index of the first character after "name:". */
    int bodyStart;

    /** Reads the prefix of {@code l}; false when the line does not have the usual shape. */
    boolean read(String l) {
        int len = l.length();
        int open = -1;
        for (int i = l.indexOf('['); i >= 0; i = l.indexOf('[', i + 1)) {
            if (i > 0 && l.charAt(i - 1) == ' ') {
                int j = i + 1;
                while (j < len && isDigit(l.charAt(j))) {
                    j++;
                }
                if (j > i + 1 && j < len && l.charAt(j) == ']') {
                    open = i;
                    break;
                }
            }
        }
        if (open < 0) {
            return false;
        }
        int close = l.indexOf(']', open);
        cpu = Integer.parseInt(l, open + 1, close, 10);
        int end = open - 1;
        while (end >= 0 && l.charAt(end) == ' ') {
            end--;
        }
        if (end >= 0 && l.charAt(end) == ')') { // record-tgid column
            int paren = l.lastIndexOf('(', end);
            if (paren < 0) {
                return false;
            }
            end = paren - 1;
            while (end >= 0 && l.charAt(end) == ' ') {
                end--;
            }
        }
        int digits = end;
        while (digits >= 0 && isDigit(l.charAt(digits))) {
            digits--;
        }
        if (digits == end || digits < 1 || l.charAt(digits) != '-') {
            return false;
        }
        pid = Integer.parseInt(l, digits + 1, end + 1, 10);
        // l.substring(0, digits).strip() in one copy (the task is right-aligned in its column)
        int taskStart = 0;
        int taskEnd = digits;
        while (taskStart < taskEnd && Character.isWhitespace(l.charAt(taskStart))) {
            taskStart++;
        }
        while (taskEnd > taskStart && Character.isWhitespace(l.charAt(taskEnd - 1))) {
            taskEnd--;
        }
        if (taskStart == taskEnd) {
            return false;
        }
        task = l.substring(taskStart, taskEnd);
        int i = skipSpaces(l, close + 1);
        int tok = tokenEnd(l, i);
        if (tok == i) {
            return false;
        }
        context = TraceEvent.TASK;
        if (l.charAt(tok - 1) != ':') { // latency flags
            context = TraceEvent.context(l, i, tok);
            i = skipSpaces(l, tok);
            tok = tokenEnd(l, i);
            if (tok == i || l.charAt(tok - 1) != ':') {
                return false;
            }
        }
        if (!timestamp(l, i, tok - 1)) {
            return false;
        }
        i = skipSpaces(l, tok);
        int n = identEnd(l, i);
        if (n == i || n >= len || l.charAt(n) != ':') {
            return false;
        }
        if (n + 1 < len && isIdentStart(l.charAt(n + 1))) { // system:name:
            int m = identEnd(l, n + 1);
            if (m >= len || l.charAt(m) != ':' || m + 1 < len && l.charAt(m + 1) != ' ') {
                return false;
            }
            n = m;
        } else if (n + 1 < len && l.charAt(n + 1) != ' ') {
            return false;
        }
        name = l.substring(i, n);
        bodyStart = n + 1;
        return true;
    }

    private boolean timestamp(String l, int from, int to) {
        int dot = -1;
        for (int i = from; i < to; i++) {
            char c = l.charAt(i);
            if (c == '.' && dot < 0) {
                dot = i;
            } else if (!isDigit(c)) {
                return false;
            }
        }
        if (from >= to || dot == from || dot == to - 1 || to - from > 30) {
            return false;
        }
        // LineParser.timestamp(secs, frac) on the characters themselves, without substrings:
        // the same value, and the same exceptions for a seconds part past a long.
        int secsEnd = dot < 0 ? to : dot;
        long secs = 0;
        for (int i = from; i < secsEnd; i++) {
            secs = Math.addExact(Math.multiplyExact(secs, 10), l.charAt(i) - '0');
        }
        if (dot < 0) {
            timestampNs = secs; // a counter clock without a fraction: keep the raw value
            return true;
        }
        long nanos = 0;
        for (int k = 0; k < 9; k++) { // the first 9 fraction digits, padded with zeros
            int i = dot + 1 + k;
            nanos = nanos * 10 + (i < to ? l.charAt(i) - '0' : 0);
        }
        timestampNs = Math.multiplyExact(secs, 1_000_000_000L) + nanos;
        return true;
    }

    private static int skipSpaces(String l, int i) {
        while (i < l.length() && l.charAt(i) == ' ') {
            i++;
        }
        return i;
    }

    private static int tokenEnd(String l, int i) {
        while (i < l.length() && l.charAt(i) != ' ') {
            i++;
        }
        return i;
    }

    private static int identEnd(String l, int i) {
        if (i >= l.length() || !isIdentStart(l.charAt(i))) {
            return i;
        }
        i++;
        while (i < l.length() && (isIdentStart(l.charAt(i)) || isDigit(l.charAt(i)))) {
            i++;
        }
        return i;
    }

    private static boolean isIdentStart(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_';
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
