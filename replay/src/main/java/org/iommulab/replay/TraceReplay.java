package org.iommulab.replay;

import java.io.PrintStream;
import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Replays a Linux {@code dma:}/{@code iommu:} ftrace trace (the text of
 * {@code /sys/kernel/tracing/trace} or of {@code trace-cmd report}, plain, gzip or xz) against
 * the running platform: every DMA-API call of the trace goes through the simulated devices'
 * DMA APIs on one backend, or on every backend in turn, and a per-device, per-backend report is
 * printed. Registered as an OSGi service by the {@code org.iommulab.replay} bundle; the
 * application's {@code replay} mode and the {@code iommu:replay} shell command call it.
 *
 * <p>Arguments, as on the command line after the word {@code replay}:
 * <pre>
 * TRACE [--backend NAME] [--devices FILE] [--set KEY=VALUE]... [--sg-guess] [--granule BYTES]
 *       [--keep-devices] [--quiet]
 * </pre>
 * Without {@code --backend} every registered backend is replayed in turn. The device file and
 * {@code --set} use the format documented in the bundle's README
 * ({@code device.<trace-name>.mask=64} and so on).
 */
@ProviderType
public interface TraceReplay {
    /** Exit status: the trace was replayed (findings such as misuse or malformed lines are not failures). */
    int OK = 0;
    /**
     * Exit status: the replay could not run or read the trace whole (trace missing or
     * unreadable, no DMA event in it, a compressed trace that ends early or is corrupt, no
     * backend, platform refused every device).
     */
    int FAILED = 1;
    /** Exit status: bad arguments; nothing was replayed. */
    int USAGE = 2;

    /**
     * Runs one replay and prints its report (and any error) to {@code out}.
     *
     * @param args the arguments after the word {@code replay}
     * @return {@link #OK}, {@link #FAILED} or {@link #USAGE}
     */
    int run(List<String> args, PrintStream out);

    /**
     * Runs one replay, its report to {@code out} and its errors and warnings to {@code err}.
     *
     * @param args the arguments after the word {@code replay}
     * @return {@link #OK}, {@link #FAILED} or {@link #USAGE}
     * @since 1.1
     */
    int run(List<String> args, PrintStream out, PrintStream err);
}
