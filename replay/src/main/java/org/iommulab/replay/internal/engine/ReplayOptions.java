package org.iommulab.replay.internal.engine;

import org.iommulab.replay.internal.parse.TraceParser;

/**
 * How a replay runs. Immutable; {@link #defaults()} then the {@code with*} methods.
 *
 * @param granule IOMMU granule the sg rebuild assumes ({@code iova_align}), 4096 by default
 * @param sgGuess replay dma_map_sg calls whose entry lengths are UNCERTAIN with the guessed
 *        layout (counted as guessed); off by default, so nothing is guessed silently
 * @param keepDevices leave the devices the replay added on the platform afterwards
 * @param maxLineBytes longest trace line read; longer ones are counted and skipped
 */
public record ReplayOptions(long granule, boolean sgGuess, boolean keepDevices, int maxLineBytes) {
    public static ReplayOptions defaults() {
        return new ReplayOptions(4096, false, false, TraceParser.DEFAULT_MAX_LINE_BYTES);
    }

    public ReplayOptions withGranule(long g) {
        return new ReplayOptions(g, sgGuess, keepDevices, maxLineBytes);
    }

    public ReplayOptions withSgGuess(boolean guess) {
        return new ReplayOptions(granule, guess, keepDevices, maxLineBytes);
    }

    public ReplayOptions withKeepDevices(boolean keep) {
        return new ReplayOptions(granule, sgGuess, keep, maxLineBytes);
    }

    public ReplayOptions withMaxLineBytes(int max) {
        return new ReplayOptions(granule, sgGuess, keepDevices, max);
    }
}
