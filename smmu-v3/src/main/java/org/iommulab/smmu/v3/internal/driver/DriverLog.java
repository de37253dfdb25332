package org.iommulab.smmu.v3.internal.driver;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * What the driver would print with {@code dev_err}/{@code dev_info} on the SMMU device itself
 * (not on a master): CMDQ errors, event-queue overflow, timeouts. A bounded history.
 */
final class DriverLog {
    private static final int HISTORY = 256;
    private final ArrayDeque<String> lines = new ArrayDeque<>();

    synchronized void add(String line) {
        if (lines.size() == HISTORY) {
            lines.removeFirst();
        }
        lines.addLast(line);
    }

    synchronized List<String> lines() {
        return new ArrayList<>(lines);
    }
}
