package org.iommulab.app.internal.collect;

/**
 * A value over simulated time in bounded memory: {@link #BUCKETS} buckets of equal width from
 * the first sample on, each keeping the largest and the last value seen in it. When a sample
 * falls past the last bucket the width doubles and neighbouring buckets merge, so a run of any
 * length keeps the same number of buckets and every peak survives. Not thread-safe: the caller
 * locks.
 */
public final class BucketSeries {
    /** Buckets kept; the picture is about this many pixels wide. */
    public static final int BUCKETS = 256;
    /** The first bucket width, in simulated nanoseconds. */
    static final long FIRST_WIDTH = 100;

    private final long[] max = new long[BUCKETS];
    private final long[] last = new long[BUCKETS];
    private final boolean[] seen = new boolean[BUCKETS];
    private long origin = -1;
    private long width = FIRST_WIDTH;
    private long end = -1;
    private long peak;

    /** Records {@code value} at simulated time {@code t}; times before the first sample count as the first. */
    public void add(long t, long value) {
        if (origin < 0) {
            origin = t;
        }
        long at = Math.max(0, t - origin);
        while (at / width >= BUCKETS) {
            halve();
        }
        int i = (int) (at / width);
        max[i] = seen[i] ? Math.max(max[i], value) : value;
        last[i] = value;
        seen[i] = true;
        end = Math.max(end, t);
        peak = Math.max(peak, value);
    }

    private void halve() {
        for (int i = 0; i < BUCKETS / 2; i++) {
            int a = 2 * i;
            int b = a + 1;
            boolean any = seen[a] || seen[b];
            long m = seen[a] && seen[b] ? Math.max(max[a], max[b]) : seen[a] ? max[a] : max[b];
            long l = seen[b] ? last[b] : last[a];
            max[i] = any ? m : 0;
            last[i] = any ? l : 0;
            seen[i] = any;
        }
        for (int i = BUCKETS / 2; i < BUCKETS; i++) {
            max[i] = 0;
            last[i] = 0;
            seen[i] = false;
        }
        width *= 2;
    }

    public boolean isEmpty() {
        return origin < 0;
    }

    /** Simulated time of the first sample. */
    public long origin() {
        return origin;
    }

    /** Simulated time of the latest sample. */
    public long end() {
        return end;
    }

    /** The bucket width now, in simulated nanoseconds. */
    public long width() {
        return width;
    }

    /** The largest value ever added. */
    public long peak() {
        return peak;
    }

    /** Buckets in use: up to the one holding the latest sample. */
    public int used() {
        return origin < 0 ? 0 : (int) ((end - origin) / width) + 1;
    }

    public boolean seen(int bucket) {
        return seen[bucket];
    }

    public long max(int bucket) {
        return max[bucket];
    }

    public long last(int bucket) {
        return last[bucket];
    }
}
