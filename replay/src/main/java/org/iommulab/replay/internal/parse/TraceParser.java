package org.iommulab.replay.internal.parse;

import java.io.IOException;
import java.io.InputStream;
import java.util.function.Consumer;

import org.iommulab.replay.internal.input.LineReader;
import org.iommulab.replay.internal.input.ProgressListener;
import org.iommulab.replay.internal.input.TraceInput;

/**
 * Streams a trace: decompresses it if needed, reads it line by line with bounded memory, and
 * hands each event to a consumer in trace order. A malformed line, an unknown event, an
 * over-long line or an input that ends early is counted in the {@link ParseReport} with its
 * line number, and reading goes on (or, at the end of the input, stops cleanly).
 */
public final class TraceParser {
    /** Default longest line: a v6.12 dma_map_sg of thousands of entries fits. */
    public static final int DEFAULT_MAX_LINE_BYTES = 4 * 1024 * 1024;
    /** Progress is reported every this many lines. */
    static final int PROGRESS_EVERY = 16 * 1024;

    private final int maxLineBytes;
    private final LineParser lines = new LineParser();
    private final FastLine fast = new FastLine();

    public TraceParser() {
        this(DEFAULT_MAX_LINE_BYTES);
    }

    public TraceParser(int maxLineBytes) {
        this.maxLineBytes = maxLineBytes;
    }

    /**
     * Reads all of {@code raw} (closing it), calling {@code sink} for every event.
     *
     * @param totalBytes the raw size for progress reports, -1 if unknown
     * @throws IOException when the input cannot be opened or read at all (a stream that
     *         breaks off after the start is reported as truncated instead)
     */
    public ParseReport parse(InputStream raw, long totalBytes, Consumer<TraceEvent> sink, ProgressListener progress)
            throws IOException {
        ParseReport report = new ParseReport();
        try (TraceInput input = TraceInput.open(raw)) {
            report.compression(input.compression());
            LineReader reader = new LineReader(input.text(), maxLineBytes);
            while (true) {
                try {
                    if (!reader.advance()) {
                        break;
                    }
                } catch (IOException e) {
                    // gzip/xz streams that stop early throw EOFException or CorruptedInputException
                    report.streamBroken(new Problem(reader.lineNumber() + 1, Problem.Kind.TRUNCATED,
                            input.compression().name().toLowerCase() + " stream ended early: " + e));
                    break;
                }
                long no = reader.lineNumber();
                line(reader, no, report, sink);
                if (no % PROGRESS_EVERY == 0) {
                    progress.progress(no, input.rawBytesRead(), totalBytes);
                }
            }
            report.bytesRead(input.rawBytesRead());
            progress.progress(reader.lineNumber(), input.rawBytesRead(), totalBytes);
        }
        return report;
    }

    /**
     * Takes line {@code no}, the reader's current one. A method of its own, called per line, so
     * that the JIT compiles it fully: the loop around it runs once per trace, too few times for
     * anything but on-stack replacement.
     */
    private void line(LineReader reader, long no, ParseReport report, Consumer<TraceEvent> sink) {
        report.line();
        if (reader.lastWasTooLong()) {
            report.malformed(new Problem(no, Problem.Kind.TOO_LONG, "line longer than " + maxLineBytes + " bytes skipped"));
        } else if (reader.lastWasUnterminated()) {
            // ftrace ends every line with '\n': a last line without one was cut off,
            // and a cut line may still look well-formed ("size=40" of "size=4096")
            report.truncated(new Problem(no, Problem.Kind.TRUNCATED,
                    "input ends inside this line (no newline); line dropped"));
        } else {
            // The common lines are read in place; the rest, and any line the fast
            // reader declines, as a string (which words every problem).
            TraceEvent fast = reader.lastWasAscii()
                    ? this.fast.parse(reader.bytes(), reader.offset(), reader.offset() + reader.length(), no)
                    : null;
            if (fast != null) {
                report.event(fast.kind());
                sink.accept(fast);
            } else {
                handle(lines.parse(reader.text(), no), no, report, sink);
            }
        }
    }

    private static void handle(LineResult r, long no, ParseReport report, Consumer<TraceEvent> sink) {
        switch (r.type()) {
            case EVENT:
                report.event(r.event().kind());
                sink.accept(r.event());
                break;
            case IGNORED:
                report.ignored();
                break;
            case UNKNOWN_EVENT:
                report.unknown(r.name(), no);
                break;
            case LOST_EVENTS:
                report.lost(r.lost());
                break;
            case MALFORMED:
                report.malformed(new Problem(no, Problem.Kind.MALFORMED, r.message()));
                break;
            default:
                throw new IllegalStateException(r.type().toString());
        }
    }
}
