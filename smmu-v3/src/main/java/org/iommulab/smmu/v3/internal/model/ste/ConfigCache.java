package org.iommulab.smmu.v3.internal.model.ste;

import java.util.Arrays;

/**
 * The configuration cache (QEMU's {@code configs} hash table): decoded {@link StreamConfig}s by
 * StreamID, filled on a stream's first transaction and emptied by CMD_CFGI_*; a lookup
 * allocates nothing (open addressing on int keys). Not thread-safe: used under the model's lock.
 */
public final class ConfigCache {
    private static final int FREE = 0;
    private static final int USED = 1;
    private static final int DELETED = 2;

    private int[] keys = new int[64];
    private byte[] state = new byte[64];
    private StreamConfig[] values = new StreamConfig[64];
    private int size;
    private int occupied;

    public StreamConfig get(int sid) {
        int mask = keys.length - 1;
        int i = hash(sid) & mask;
        while (state[i] != FREE) {
            if (state[i] == USED && keys[i] == sid) {
                return values[i];
            }
            i = (i + 1) & mask;
        }
        return null;
    }

    public void put(int sid, StreamConfig cfg) {
        invalidate(sid);
        if ((occupied + 1) * 2 > keys.length) {
            rehash(size * 4 > keys.length ? keys.length * 2 : keys.length);
        }
        int mask = keys.length - 1;
        int i = hash(sid) & mask;
        while (state[i] == USED) {
            i = (i + 1) & mask;
        }
        if (state[i] == FREE) {
            occupied++;
        }
        keys[i] = sid;
        values[i] = cfg;
        state[i] = USED;
        size++;
    }

    /** CMD_CFGI_STE, CMD_CFGI_CD(_ALL): drops one stream's configuration. */
    public void invalidate(int sid) {
        int mask = keys.length - 1;
        int i = hash(sid) & mask;
        while (state[i] != FREE) {
            if (state[i] == USED && keys[i] == sid) {
                state[i] = DELETED;
                values[i] = null;
                size--;
                return;
            }
            i = (i + 1) & mask;
        }
    }

    /** CMD_CFGI_STE_RANGE / CMD_CFGI_ALL: drops StreamIDs {@code first..last} (unsigned). */
    public void invalidateRange(long first, long last) {
        for (int i = 0; i < keys.length; i++) {
            long k = keys[i] & 0xffff_ffffL;
            if (state[i] == USED && k >= first && k <= last) {
                state[i] = DELETED;
                values[i] = null;
                size--;
            }
        }
    }

    public void clear() {
        Arrays.fill(state, (byte) FREE);
        Arrays.fill(values, null);
        size = 0;
        occupied = 0;
    }

    public int size() {
        return size;
    }

    private void rehash(int capacity) {
        int[] oldKeys = keys;
        byte[] oldState = state;
        StreamConfig[] oldValues = values;
        keys = new int[capacity];
        state = new byte[capacity];
        values = new StreamConfig[capacity];
        size = 0;
        occupied = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldState[i] == USED) {
                put(oldKeys[i], oldValues[i]);
            }
        }
    }

    private static int hash(int sid) {
        int h = sid * 0x9E3779B9;
        return h ^ (h >>> 16);
    }
}
