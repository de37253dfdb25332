package org.iommulab.replay.internal.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import org.iommulab.replay.internal.input.Compression;
import org.iommulab.replay.internal.input.ProgressListener;
import org.junit.jupiter.api.Test;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZOutputStream;

class TraceParserTest {
    static final String MAP = "  ping-1402    [002] ..s1.   405.310005: dma_map_page: 0000:01:00.0 dir=TO_DEVICE dma_addr=ffffd0c2 size=98 phys_addr=10b7a20c2 attrs=\n";
    static final String UNMAP = "  <idle>-0     [002] ..s1.   405.310505: dma_unmap_page: 0000:01:00.0 dir=TO_DEVICE dma_addr=ffffd0c2 size=98 attrs=\n";

    private final List<TraceEvent> events = new ArrayList<>();

    private ParseReport parse(byte[] bytes) throws IOException {
        return new TraceParser().parse(new ByteArrayInputStream(bytes), bytes.length, events::add, ProgressListener.NONE);
    }

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] gzip(byte[] plain) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(b)) {
            z.write(plain);
        }
        return b.toByteArray();
    }

    /**
     * xz of {@code plain}, flushed every 16 KiB: xz decodes an LZMA2 chunk only once it has all
     * of it, so a stream cut short gives back the chunks before the cut, as a real multi-chunk
     * file does.
     */
    static byte[] xz(byte[] plain) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (XZOutputStream z = new XZOutputStream(b, new LZMA2Options(1))) {
            for (int off = 0; off < plain.length; off += 16 * 1024) {
                z.write(plain, off, Math.min(16 * 1024, plain.length - off));
                z.flush();
            }
        }
        return b.toByteArray();
    }

    @Test
    void malformedAndUnknownLinesAreCountedWithLineNumbersAndParsingGoesOn() throws IOException {
        String trace = "# tracer: nop\n"
                + MAP
                + "  ping-1402    [002] ..s1.   405.310006: dma_map_page: 0000:01:00.0 dir=TO_DEVICE size=98\n"
                + "garbage without any structure\n"
                + "  bash-1  [000] d..2. 405.4: sched_switch: prev_comm=bash\n"
                + "  bash-1  [000] d..2. 405.5: sched_switch: prev_comm=bash\n"
                + "CPU:1 [LOST 40 EVENTS]\n"
                + UNMAP;
        ParseReport r = parse(text(trace));
        assertEquals(8, r.lines());
        assertEquals(2, r.events());
        assertEquals(2, events.size());
        assertEquals(EventKind.DMA_UNMAP_PAGE, events.get(1).kind());
        assertEquals(8, events.get(1).line());
        assertEquals(2, r.malformed());
        assertEquals(3, r.problems().get(0).line());
        assertEquals(Problem.Kind.MALFORMED, r.problems().get(0).kind());
        assertTrue(r.problems().get(0).message().contains("dma_addr="));
        assertEquals(4, r.problems().get(1).line());
        assertEquals(2, r.unknownEvents());
        assertEquals(2L, r.unknownNames().get("sched_switch"));
        assertEquals(5L, r.unknownFirstLines().get("sched_switch"));
        assertEquals(40, r.lostEvents());
        assertEquals(1, r.ignoredLines());
        assertFalse(r.truncated());
        assertEquals(Compression.NONE, r.compression());
    }

    @Test
    void gzipAndXzInputAreDetectedByMagicBytes() throws IOException {
        byte[] plain = text(MAP + UNMAP);
        ParseReport g = parse(gzip(plain));
        assertEquals(Compression.GZIP, g.compression());
        assertEquals(2, g.events());
        ParseReport x = parse(xz(plain));
        assertEquals(Compression.XZ, x.compression());
        assertEquals(2, x.events());
        assertEquals(4, events.size());
    }

    @Test
    void truncatedCompressedStreamIsReportedAndWhatCameBeforeIsKept() throws IOException {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 2000; i++) {
            b.append(MAP).append(UNMAP);
        }
        for (byte[] packed : new byte[][] {gzip(text(b.toString())), xz(text(b.toString()))}) {
            events.clear();
            ParseReport r = parse(Arrays.copyOf(packed, packed.length * 2 / 3));
            assertTrue(r.truncated());
            assertTrue(events.size() > 100, "the events before the cut are kept");
            assertTrue(events.size() < 4000);
            Problem last = r.problems().get(r.problems().size() - 1);
            assertEquals(Problem.Kind.TRUNCATED, last.kind());
            assertTrue(last.line() >= events.size(), "the problem names the line where the input broke off");
        }
    }

    @Test
    void plainTraceEndingInsideALineIsTruncated() throws IOException {
        String cut = MAP + UNMAP.substring(0, 70);
        ParseReport r = parse(text(cut));
        assertEquals(1, r.events());
        assertTrue(r.truncated());
        assertEquals(2, r.problems().get(0).line());
    }

    @Test
    void cutLineThatStillLooksWellFormedIsNotTrusted() throws IOException {
        // "size=4096" cut to "size=40": would parse, but the missing newline gives it away
        String cut = MAP + "t-1 [000] ..... 1.0: dma_sync_single_for_cpu: d dir=TO_DEVICE dma_addr=1000 size=40";
        ParseReport r = parse(text(cut));
        assertEquals(1, r.events());
        assertTrue(r.truncated());
    }

    @Test
    void overLongLinesAreSkippedWithBoundedMemory() throws IOException {
        String longLine = "t-1 [000] ..... 1.0: dma_unmap_sg: d dir=TO_DEVICE phys_addrs={" + "0x1000,".repeat(100) + "0x1000} attrs=\n";
        ParseReport r = new TraceParser(200).parse(new ByteArrayInputStream(text(MAP + longLine + UNMAP)), -1, events::add,
                ProgressListener.NONE);
        assertEquals(2, r.events());
        assertEquals(1, r.malformed());
        assertEquals(Problem.Kind.TOO_LONG, r.problems().get(0).kind());
        assertEquals(2, r.problems().get(0).line());
    }

    @Test
    void traceCmdReportWithCpusLine() throws IOException {
        String report = "cpus=4\n"
                + "        weston-877       [002]  9121.000100551: dma_map_phys:         0000:00:02.0 dir=TO_DEVICE dma_addr=fbffc040 size=256 phys_addr=11f0a3040 attrs=\n"
                + "          <idle>-0       [002]  9121.004100229: dma_unmap_phys:       0000:00:02.0 dir=TO_DEVICE dma_addr=fbffc040 size=256 attrs=\n";
        ParseReport r = parse(text(report));
        assertEquals(0, r.malformed());
        assertEquals(2, r.events());
        assertEquals(1, r.events(EventKind.DMA_UNMAP_PHYS));
    }

    @Test
    void bothSampleTracesParseCleanly() throws IOException {
        for (String name : new String[] {"/traces/sample-6.12-ftrace.txt", "/traces/sample-dma-phys-trace-cmd.txt"}) {
            try (InputStream in = getClass().getResourceAsStream(name)) {
                ParseReport r = new TraceParser().parse(in, -1, events::add, ProgressListener.NONE);
                assertEquals(0, r.malformed(), () -> name + ": " + r.problems());
                assertEquals(0, r.unknownEvents(), name);
                assertFalse(r.truncated(), name);
            }
        }
        assertEquals(32 + 14, events.size());
    }

    @Test
    void progressIsReportedForLongTraces() throws IOException {
        byte[] big = text((MAP + UNMAP).repeat(TraceParser.PROGRESS_EVERY));
        List<long[]> calls = new ArrayList<>();
        new TraceParser().parse(new ByteArrayInputStream(gzip(big)), 1234, e -> { },
                (lines, bytes, total) -> calls.add(new long[] {lines, bytes, total}));
        assertTrue(calls.size() >= 3, "every " + TraceParser.PROGRESS_EVERY + " lines and at the end");
        long[] last = calls.get(calls.size() - 1);
        assertEquals(2L * TraceParser.PROGRESS_EVERY, last[0]);
        assertEquals(1234, last[2]);
        assertTrue(last[1] > 0 && last[1] < big.length, "bytes are counted on the compressed input");
        for (int i = 1; i < calls.size(); i++) {
            assertTrue(calls.get(i)[0] >= calls.get(i - 1)[0]);
        }
    }
}
