package org.iommulab.smmu.v2.internal.driver;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The SMMU device's own kernel log ({@code dev_err(smmu->dev, ...)}): messages that belong to
 * no client device, such as a global sync timeout or a fault from a stream no probed device
 * owns. Bounded, thread-safe.
 */
final class DriverLog {
    private static final int HISTORY = 1000;
    private final ArrayDeque<String> lines = new ArrayDeque<>();

    synchronized void log(String line) {
        if (lines.size() == HISTORY) {
            lines.removeFirst();
        }
        lines.addLast(line);
    }

    synchronized List<String> lines() {
        return new ArrayList<>(lines);
    }
}
