package org.iommulab.replay.internal.input;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;

import org.tukaani.xz.XZInputStream;

/**
 * A trace as a stream of text bytes: the raw input (counted, for progress), its compression
 * detected from the magic bytes, and the decompressor in between. Nothing is read ahead beyond
 * the decompressors' own buffers, so memory stays bounded whatever the file's size.
 */
public final class TraceInput implements AutoCloseable {
    private final CountingInputStream raw;
    private final InputStream text;
    private final Compression compression;

    private TraceInput(CountingInputStream raw, InputStream text, Compression compression) {
        this.raw = raw;
        this.text = text;
        this.compression = compression;
    }

    /** Opens {@code in} (which this object then owns and closes), detecting gzip or xz. */
    public static TraceInput open(InputStream in) throws IOException {
        CountingInputStream counted = new CountingInputStream(in);
        BufferedInputStream buffered = new BufferedInputStream(counted, 64 * 1024);
        buffered.mark(8);
        byte[] head = new byte[6];
        int n = 0;
        while (n < head.length) {
            int r = buffered.read(head, n, head.length - n);
            if (r < 0) {
                break;
            }
            n += r;
        }
        buffered.reset();
        Compression c = Compression.of(head, n);
        InputStream text;
        try {
            switch (c) {
                case GZIP:
                    text = new GZIPInputStream(buffered, 64 * 1024);
                    break;
                case XZ:
                    text = new XZInputStream(buffered);
                    break;
                default:
                    text = buffered;
            }
        } catch (IOException e) {
            // The header is read here: a stream cut inside it (EOFException, no message) or corrupt.
            throw new IOException(c.name().toLowerCase(java.util.Locale.ROOT) + " stream ended early or is corrupt in its header: "
                    + e, e);
        }
        return new TraceInput(counted, text, c);
    }

    /** The decompressed text. */
    public InputStream text() {
        return text;
    }

    public Compression compression() {
        return compression;
    }

    /** Raw (compressed) bytes read so far. */
    public long rawBytesRead() {
        return raw.count();
    }

    @Override
    public void close() throws IOException {
        text.close();
    }
}
