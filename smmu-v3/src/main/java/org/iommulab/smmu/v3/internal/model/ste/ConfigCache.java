package org.iommulab.smmu.v3.internal.model.ste;

import java.util.Arrays;

import org.iommulab.modelkit.collect.LongIntMap;

/**
 * The configuration cache (QEMU's {@code configs} hash table): decoded {@link StreamConfig}s by
 * StreamID, filled on a stream's first transaction and emptied by CMD_CFGI_*. The kit's
 * {@link LongIntMap} maps the StreamID (unsigned) to a slot of the config array; freed slots
 * are reused, so a lookup allocates nothing and a fill only when more streams are cached than
 * ever before. Not thread-safe: used under the model's lock.
 */
public final class ConfigCache {
    private static final int NONE = -1;

    private final LongIntMap index = new LongIntMap(64);
    private StreamConfig[] values = new StreamConfig[64];
    private int[] free = new int[64];
    private int freeCount;
    private int highWater;
    /** Bumped by every change, so that a reader may keep a config while it is unchanged. */
    private long changes;

    public StreamConfig get(int sid) {
        int i = index.get(key(sid), NONE);
        return i == NONE ? null : values[i];
    }

    public void put(int sid, StreamConfig cfg) {
        changes++;
        int i = index.get(key(sid), NONE);
        if (i == NONE) {
            i = allocate();
            index.put(key(sid), i, NONE);
        }
        values[i] = cfg;
    }

    /** CMD_CFGI_STE, CMD_CFGI_CD(_ALL): drops one stream's configuration. */
    public void invalidate(int sid) {
        changes++;
        release(index.remove(key(sid), NONE));
    }

    /** CMD_CFGI_STE_RANGE / CMD_CFGI_ALL: drops StreamIDs {@code first..last} (unsigned). */
    public void invalidateRange(long first, long last) {
        changes++;
        if (last - first < index.size()) {
            for (long sid = first; sid <= last; sid++) {
                release(index.remove(sid, NONE));
            }
            return;
        }
        index.removeIf((sid, i) -> {
            if (sid < first || sid > last) {
                return false;
            }
            release(i);
            return true;
        });
    }

    public void clear() {
        changes++;
        index.clear();
        Arrays.fill(values, null);
        freeCount = 0;
        highWater = 0;
    }

    /**
     * A count of the changes so far (fills and invalidations): while it stays the same, a
     * config {@link #get} returned is still the one cached for its StreamID.
     */
    public long changes() {
        return changes;
    }

    public int size() {
        return index.size();
    }

    private static long key(int sid) {
        return sid & 0xffff_ffffL;
    }

    private int allocate() {
        if (freeCount > 0) {
            return free[--freeCount];
        }
        if (highWater == values.length) {
            values = Arrays.copyOf(values, values.length * 2);
            free = Arrays.copyOf(free, free.length * 2);
        }
        return highWater++;
    }

    private void release(int i) {
        if (i != NONE) {
            values[i] = null;
            free[freeCount++] = i;
        }
    }
}
