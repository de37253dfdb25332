package org.iommulab.replay.internal.engine;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import org.iommulab.replay.internal.input.TraceSource;

/** The sample traces under src/test/resources/traces, and traces written inline. */
final class Traces {
    static final String SAMPLE_612 = "/traces/sample-6.12-ftrace.txt";
    static final String SAMPLE_PHYS = "/traces/sample-dma-phys-trace-cmd.txt";

    private Traces() {
    }

    static TraceSource resource(String name) {
        try (InputStream in = Traces.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + name);
            }
            return TraceSource.of(name, in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static TraceSource text(String... lines) {
        return TraceSource.of("inline", (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
    }
}
