package org.iommulab.replay.internal.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.iommulab.replay.TraceReplay;
import org.iommulab.replay.internal.fake.FakeBackend;
import org.iommulab.replay.internal.fake.FakePlatform;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZOutputStream;

/**
 * The replay's exit statuses as replay/README.md documents them (0 replayed, 1 could not run or
 * read the trace whole, 2 bad arguments), with the report on standard output and every error on
 * standard error.
 */
class ReplayExitStatusTest {
    private final FakePlatform platform = new FakePlatform(FakeBackend.DIRECT, FakeBackend.IOMMU);
    private final ReplayCommand command = new ReplayCommand(platform, platform::lookup);
    private final ByteArrayOutputStream outBuf = new ByteArrayOutputStream();
    private final ByteArrayOutputStream errBuf = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(outBuf, true, StandardCharsets.UTF_8);
    private final PrintStream err = new PrintStream(errBuf, true, StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    private byte[] sampleBytes() throws IOException {
        try (InputStream in = getClass().getResourceAsStream("/traces/sample-6.12-ftrace.txt")) {
            return in.readAllBytes();
        }
    }

    private byte[] xz(byte[] text) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (OutputStream o = new XZOutputStream(b, new LZMA2Options())) {
            o.write(text);
        }
        return b.toByteArray();
    }

    private int run(Path trace) {
        return command.run(List.of(trace.toString(), "--backend", "iommu", "--quiet"), out, err);
    }

    private String out() {
        return outBuf.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return errBuf.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aWholeTraceIsZeroWithNothingOnStderr() throws IOException {
        Path trace = Files.write(dir.resolve("t.xz"), xz(sampleBytes()));
        assertEquals(TraceReplay.OK, run(trace), err());
        assertTrue(out().contains("(xz): 49 lines, 32 events"), out());
        assertEquals("", err());
    }

    @Test
    void aMissingTraceIsOneOnStderr() {
        assertEquals(TraceReplay.FAILED, run(dir.resolve("nonexistent")));
        assertEquals("replay: cannot read trace " + dir.resolve("nonexistent") + ": no such file\n", err());
        assertEquals("", out());
    }

    @Test
    void aTraceWithoutDmaEventsIsOne() throws IOException {
        Path trace = Files.writeString(dir.resolve("sched.txt"), "  <idle>-0  [000] d..2.  1.0: sched_switch: prev=a next=b\n");
        assertEquals(TraceReplay.FAILED, run(trace));
        assertTrue(err().startsWith("replay: " + trace + ": no DMA events found (1 lines read;"), err());
        assertEquals("", out());
    }

    @Test
    void randomBytesNamedXzAreOneAndSaySo() throws IOException {
        byte[] noise = new byte[4096];
        new Random(1).nextBytes(noise);
        noise[0] = 0; // not by chance an xz or gzip header
        Path trace = Files.write(dir.resolve("noise.xz"), noise);
        assertEquals(TraceReplay.FAILED, run(trace));
        assertTrue(err().contains("no DMA events found (named .xz but not compressed: its first bytes are no xz header"),
                err());
    }

    @Test
    void aTruncatedXzTraceIsOneEvenWhenItsStartWasReplayed() throws IOException {
        byte[] whole = xz(sampleBytes());
        Path trace = Files.write(dir.resolve("cut.xz"), Arrays.copyOf(whole, whole.length * 2 / 3));
        assertEquals(TraceReplay.FAILED, run(trace));
        assertTrue(err().contains("xz stream ended early"), err());
        // Cut inside its 12-byte stream header: xz cannot even start.
        errBuf.reset();
        Path head = Files.write(dir.resolve("head.xz"), Arrays.copyOf(whole, 8));
        assertEquals(TraceReplay.FAILED, run(head));
        assertTrue(err().contains("xz stream ended early or is corrupt in its header: java.io.EOFException"), err());
    }

    @Test
    void badArgumentsAreTwoOnStderr() {
        assertEquals(TraceReplay.USAGE, command.run(List.of("--frobnicate"), out, err));
        assertTrue(err().contains("usage: replay TRACE"), err());
        assertEquals("", out());
    }
}
