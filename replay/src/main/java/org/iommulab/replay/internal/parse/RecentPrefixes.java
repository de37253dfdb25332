package org.iommulab.replay.internal.parse;

import java.util.Arrays;

/**
 * The prefixes of the last few lines {@link FastLine} read, from the line's first byte up to its
 * timestamp (task, pid, CPU, latency flags and the spaces after them), with what they said. A
 * line that starts with the same bytes says the same: the prefix is read from those bytes alone
 * (the flags end at a space inside them). A trace's lines come from a handful of tasks, so most
 * lines are found here and their prefix is compared, not read. Mutable: one per FastLine.
 */
final class RecentPrefixes {
    private static final int SLOTS = 4;
    /** Longer prefixes (a long task name, wide padding) are not kept. */
    private static final int MAX_BYTES = 128;

    private final byte[][] bytes = new byte[SLOTS][MAX_BYTES];
    private final int[] lengths = new int[SLOTS];
    private final String[] tasks = new String[SLOTS];
    private final int[] pids = new int[SLOTS];
    private final int[] cpus = new int[SLOTS];
    private final int[] contexts = new int[SLOTS];
    private int count;
    /** The slot {@link #remember} fills next. */
    private int next;

    /** What the last {@link #match} found. */
    String task;
    int pid;
    int cpu;
    int context;

    /**
     * Where the timestamp of line {@code l[from, to)} starts, at the earliest, when the line
     * begins with a kept prefix (whose fields are then in {@link #task} and the rest); else -1.
     */
    int match(byte[] l, int from, int to) {
        for (int k = 0; k < count; k++) {
            int n = lengths[k];
            if (n <= to - from && Arrays.equals(bytes[k], 0, n, l, from, from + n)) {
                task = tasks[k];
                pid = pids[k];
                cpu = cpus[k];
                context = contexts[k];
                return from + n;
            }
        }
        return -1;
    }

    /** Keeps prefix {@code l[from, end)} and what it says. */
    void remember(byte[] l, int from, int end, String task, int pid, int cpu, int context) {
        int n = end - from;
        if (n > MAX_BYTES) {
            return;
        }
        int k = next;
        next = (next + 1) % SLOTS;
        count = Math.max(count, k + 1);
        System.arraycopy(l, from, bytes[k], 0, n);
        lengths[k] = n;
        tasks[k] = task;
        pids[k] = pid;
        cpus[k] = cpu;
        contexts[k] = context;
    }
}
