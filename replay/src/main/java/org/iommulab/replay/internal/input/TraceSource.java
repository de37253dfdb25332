package org.iommulab.replay.internal.input;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a trace comes from. The replay reads it once per backend, so it must open afresh each
 * time: a file, or bytes in memory (tests, benchmarks).
 */
public interface TraceSource {
    /** A name for reports. */
    String name();

    /** Raw size in bytes, or -1 when unknown. */
    long size();

    /** A new stream over the raw (possibly compressed) bytes. */
    InputStream open() throws IOException;

    static TraceSource of(Path file) {
        return new TraceSource() {
            @Override
            public String name() {
                return file.toString();
            }

            @Override
            public long size() {
                try {
                    return Files.size(file);
                } catch (IOException e) {
                    return -1;
                }
            }

            @Override
            public InputStream open() throws IOException {
                return Files.newInputStream(file);
            }
        };
    }

    static TraceSource of(String name, byte[] bytes) {
        byte[] copy = bytes.clone();
        return new TraceSource() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public long size() {
                return copy.length;
            }

            @Override
            public InputStream open() {
                return new ByteArrayInputStream(copy);
            }
        };
    }
}
