package org.iommulab.platform.internal.dma;

import java.util.Arrays;

import org.iommulab.platform.internal.checker.PhysRangeIndex;

/**
 * The CPU ranges of one device's live mappings, for the {@link DeviceChecker}'s CPU-view checks:
 * an sg table's entries are indexed at map; a single mapping waits on a pending list and is
 * indexed when a CPU access is about to look ({@link #indexPending}), so a map and unmap with no
 * checked CPU access between them (the common pair) never touch the index; a pending one leaves
 * by a swap with the last.
 *
 * <p>Thread-safety: none of its own; guarded by the device's table lock, as the table is.
 */
final class MappingRanges {
    /** The indexed ranges, by physical page. */
    final PhysRangeIndex<LiveMappings> index = new PhysRangeIndex<>();
    /** Single mappings not in {@link #index} yet. */
    private int[] pending = new int[16];
    private int pendingCount;
    /** Per live-mapping handle: its place in {@link #pending} plus one, 0 when not pending. */
    private int[] pendingPos = new int[0];

    /** Single mapping {@code e} of {@code t} was made: it waits to be indexed. */
    void addSingle(LiveMappings t, int e) {
        if (e >= pendingPos.length) {
            pendingPos = Arrays.copyOf(pendingPos, Math.max(e + 1, t.pooled()));
        }
        if (pendingCount == pending.length) {
            pending = Arrays.copyOf(pending, pendingCount * 2);
        }
        pending[pendingCount++] = e;
        pendingPos[e] = pendingCount;
    }

    /** Single mapping {@code e} of {@code t} is going: off the pending list, or out of the index. */
    void removeSingle(LiveMappings t, int e) {
        if (!removePending(e)) {
            index.removeRange(t.cpuAddr(e), t.cpuAddr(e) + t.size(e), t, e); // no chain kept: the range finds it
        }
    }

    /** Takes {@code e} off the pending list; false when it was not on it (it is indexed). */
    private boolean removePending(int e) {
        int pos = e < pendingPos.length ? pendingPos[e] : 0;
        if (pos == 0) {
            return false;
        }
        pendingPos[e] = 0;
        int last = pending[--pendingCount];
        if (last != e) {
            pending[pos - 1] = last;
            pendingPos[last] = pos;
        }
        return true;
    }

    /** Indexes every pending single mapping's CPU range, before a CPU access looks them up. */
    void indexPending(LiveMappings t) {
        for (int i = 0; i < pendingCount; i++) {
            int e = pending[i];
            pendingPos[e] = 0;
            index.add(t.cpuAddr(e), t.cpuAddr(e) + t.size(e), t, e, null); // no chain kept: the range finds it
        }
        pendingCount = 0;
    }
}
