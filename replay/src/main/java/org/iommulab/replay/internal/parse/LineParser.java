package org.iommulab.replay.internal.parse;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses one line of ftrace text output into a {@link LineResult}. Two producers are
 * understood:
 * <ul>
 * <li>The kernel's own {@code /sys/kernel/tracing/trace} (and {@code trace_pipe}):
 * {@code trace_print_context} (kernel/trace/trace_output.c) prints {@code "%16s-%-7d "} task
 * and pid, an optional {@code "(%7d) "} tgid ({@code record-tgid}), {@code "[%03d] "} CPU, the
 * latency flags ({@code irq-info}, 4 characters, 5 since the migrate-disable column), then
 * {@code " %5lu.%06lu: "}; {@code trace_raw_output_prep} adds {@code "%s: "} with the event
 * name; header lines start with '#'.</li>
 * <li>{@code trace-cmd report}: the same fields in its own spacing, event names padded with
 * spaces after the colon, nanosecond timestamps with {@code -t}, and a {@code cpus=N} first
 * line.</li>
 * </ul>
 * Lines the tracer adds when its buffer overran ({@code CPU:N [LOST M EVENTS]}, trace-cmd's
 * {@code [M EVENTS DROPPED]}) are reported as lost events. Never throws: a bad line is
 * {@link LineResult.Type#MALFORMED} with the reason.
 */
public final class LineParser {
    /** task-pid, optional (tgid), [cpu], optional latency flags, timestamp, ':' */
    private static final Pattern PREFIX = Pattern.compile(
            "^\\s*(.+?)-(\\d+)\\s+(?:\\(\\s*[-\\d]+\\)\\s+)?\\[(\\d+)\\]\\s+(?:(\\S{4,5})\\s+)?(\\d+)(?:\\.(\\d+))?:\\s");
    private static final Pattern EVENT_NAME = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*(?::[A-Za-z_][A-Za-z0-9_]*)?):(?:\\s|$)");
    private static final Pattern LOST = Pattern.compile(
            "^\\s*CPU:?\\s*(\\d+)\\s*\\[(?:LOST\\s+)?(\\d+)\\s+EVENTS(?:\\s+DROPPED)?\\]\\s*$");
    private static final Pattern INFO = Pattern.compile("^\\s*(?:cpus=\\d+|version\\s*=.*|CPU\\s*\\d+\\s+is empty)\\s*$");

    private final BodyParser bodies = new BodyParser();
    private final Prefix prefix = new Prefix();

    /** Parses {@code line}, the {@code lineNo}-th line of the trace (1-based). Never throws. */
    public LineResult parse(String line, long lineNo) {
        try {
            return parseLine(line, lineNo);
        } catch (RuntimeException e) {
            // a line shaped in a way no check above foresaw: still just a bad line
            return LineResult.malformed("unreadable line: " + e);
        }
    }

    private boolean fastPrefix(String line) {
        try {
            return prefix.read(line);
        } catch (NumberFormatException | ArithmeticException e) {
            return false; // absurd pid, CPU or timestamp: let the full pattern judge the line
        }
    }

    private LineResult parseLine(String line, long lineNo) {
        // The first non-blank character decides, without a stripped copy of every line.
        int first = 0;
        while (first < line.length() && Character.isWhitespace(line.charAt(first))) {
            first++;
        }
        if (first == line.length() || line.charAt(first) == '#') {
            return LineResult.ignored();
        }
        if (fastPrefix(line)) {
            EventKind kind = EventKind.byName(prefix.name);
            if (kind == null) {
                return LineResult.unknown(prefix.name);
            }
            return event(kind, prefix.task, prefix.pid, prefix.cpu, prefix.context, prefix.timestampNs,
                    stripped(line, prefix.bodyStart), lineNo);
        }
        Matcher m = PREFIX.matcher(line);
        if (!m.find()) {
            Matcher lost = LOST.matcher(line);
            if (lost.matches()) {
                return LineResult.lost(Long.parseLong(lost.group(2)));
            }
            if (INFO.matcher(line).matches()) {
                return LineResult.ignored();
            }
            return LineResult.malformed("not an ftrace event line (expected 'task-pid [cpu] timestamp: event: fields')");
        }
        int rest = m.end();
        Matcher name = EVENT_NAME.matcher(line);
        name.region(rest, line.length());
        if (!name.lookingAt()) {
            // function tracer and friends: "do_sys_open <-do_syscall_64" has no "event:" part
            return LineResult.unknown("(not an event: " + firstWord(line, rest) + ")");
        }
        EventKind kind = EventKind.byName(name.group(1));
        if (kind == null) {
            return LineResult.unknown(name.group(1));
        }
        long ts;
        int pid;
        int cpu;
        try {
            pid = Integer.parseInt(m.group(2));
            cpu = Integer.parseInt(m.group(3));
            ts = timestamp(m.group(5), m.group(6));
        } catch (NumberFormatException | ArithmeticException e) {
            return LineResult.malformed("bad pid, CPU or timestamp: " + e.getMessage());
        }
        String flags = m.group(4);
        int context = flags == null ? TraceEvent.TASK : TraceEvent.context(flags, 0, flags.length());
        return event(kind, m.group(1).strip(), pid, cpu, context, ts, stripped(line, name.end()), lineNo);
    }

    /** {@code line.substring(from).strip()} in one copy: the event's fields part. */
    private static String stripped(String line, int from) {
        int end = line.length();
        while (from < end && Character.isWhitespace(line.charAt(from))) {
            from++;
        }
        while (end > from && Character.isWhitespace(line.charAt(end - 1))) {
            end--;
        }
        return line.substring(from, end);
    }

    private LineResult event(EventKind kind, String task, int pid, int cpu, int context, long ts, String body, long lineNo) {
        TraceEvent.Builder b = TraceEvent.builder(kind);
        b.line = lineNo;
        b.task = task;
        b.pid = pid;
        b.cpu = cpu;
        b.context = context;
        b.timestampNs = ts;
        try {
            bodies.parse(kind, body, b); // stripped by the caller
        } catch (IllegalArgumentException e) {
            return LineResult.malformed(kind.traceName() + ": " + e.getMessage());
        }
        return LineResult.event(b.build());
    }

    /** seconds and fraction ("123", "456789" or a 9-digit nanosecond fraction) to nanoseconds. */
    static long timestamp(String secs, String frac) {
        long s = Long.parseLong(secs);
        if (frac == null) {
            return s; // a counter clock without a fraction: keep the raw value
        }
        String f = frac.length() >= 9 ? frac.substring(0, 9) : (frac + "000000000").substring(0, 9);
        return Math.multiplyExact(s, 1_000_000_000L) + Long.parseLong(f);
    }

    private static String firstWord(String line, int from) {
        int end = from;
        while (end < line.length() && !Character.isWhitespace(line.charAt(end))) {
            end++;
        }
        return line.substring(from, end);
    }
}
