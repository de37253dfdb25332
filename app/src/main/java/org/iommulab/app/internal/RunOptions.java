package org.iommulab.app.internal;

import java.nio.file.Path;

/**
 * How the main job runs a scenario or sweep, from the command line: which shard, warm or
 * cold timing, and where the machine-readable results go. Immutable.
 *
 * @param shard the runs this process takes
 * @param warm run each workload once, unmeasured, on each backend before its measured run
 *     (the JIT compiles the backend's and driver's code first, so the first backend's wall
 *     time is not inflated); false: measure cold runs and say so
 * @param json where to write the JSON results, or null
 * @param csv where to write the CSV results, or null
 */
record RunOptions(Shard shard, boolean warm, Path json, Path csv) {
    static final RunOptions DEFAULT = new RunOptions(Shard.ALL, true, null, null);

    RunOptions {
        shard = shard == null ? Shard.ALL : shard;
    }

    /**
     * The I-th of N slices of a sweep (1-based, {@code --shard I/N}): the sweep's groups (a
     * point's runs on one backend) in the unsharded order, group k to slice {@code k mod N + 1},
     * so the slices are about equal in work.
     */
    record Shard(int index, int count) {
        static final Shard ALL = new Shard(1, 1);

        Shard {
            if (count < 1 || index < 1 || index > count) {
                throw new IllegalArgumentException("a shard is I/N with 1 <= I <= N, got " + index + "/" + count);
            }
        }

        /** Parses {@code I/N}. @throws IllegalArgumentException saying what is wrong */
        static Shard parse(String text) {
            int slash = text.indexOf('/');
            if (slash < 0) {
                throw new IllegalArgumentException("--shard takes I/N (e.g. 1/4), got '" + text + "'");
            }
            try {
                return new Shard(Integer.parseInt(text.substring(0, slash).trim()), Integer.parseInt(text.substring(slash + 1).trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--shard takes I/N with whole numbers, got '" + text + "'");
            }
        }

        boolean takes(int group) {
            return group % count == index - 1;
        }

        boolean whole() {
            return count == 1;
        }

        @Override
        public String toString() {
            return index + "/" + count;
        }
    }
}
