package org.iommulab.replay.internal.parse;

import java.util.Arrays;

/**
 * An immutable array of 64-bit values (addresses, lengths) as a trace line printed it with
 * {@code __print_array}. Read by index so that nothing is copied on the replay's hot path.
 */
public final class LongArray {
    /** The array {@code {}}. */
    public static final LongArray EMPTY = new LongArray(new long[0]);

    private final long[] values;

    private LongArray(long[] values) {
        this.values = values;
    }

    /** An array holding a copy of {@code values}. */
    public static LongArray of(long... values) {
        return values.length == 0 ? EMPTY : new LongArray(values.clone());
    }

    /** Wraps {@code values} without copying: only for arrays nobody else holds. */
    static LongArray wrap(long[] values) {
        return values.length == 0 ? EMPTY : new LongArray(values);
    }

    public int size() {
        return values.length;
    }

    public boolean isEmpty() {
        return values.length == 0;
    }

    public long get(int i) {
        return values[i];
    }

    /** A copy of the values. */
    public long[] toArray() {
        return values.clone();
    }

    /** Sum of the values. */
    public long sum() {
        long s = 0;
        for (long v : values) {
            s += v;
        }
        return s;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LongArray && Arrays.equals(values, ((LongArray) o).values);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(values);
    }

    /** The values as {@code __print_array} prints them: {@code {0x1000,0x2000}}. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("{");
        for (int i = 0; i < values.length; i++) {
            b.append(i == 0 ? "0x" : ",0x").append(Long.toHexString(values[i]));
        }
        return b.append('}').toString();
    }
}
