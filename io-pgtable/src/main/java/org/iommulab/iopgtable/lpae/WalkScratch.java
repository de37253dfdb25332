package org.iommulab.iopgtable.lpae;

import java.util.Arrays;

/**
 * One thread's working memory for the walks of {@link LpaePageTable} and {@link LpaeUnmapWalk}:
 * the path a map walked down, the tables the current map call installed (for its unroll), and
 * the entries a run of leaves is read into. The writers share no state but the tables
 * themselves (Linux's {@code io-pgtable-arm} keeps its walk on the kernel stack), so each
 * thread has its own, made once per thread and reused by every table: a call never runs inside
 * another call of the same kind on the same thread. Allocates only when a run is longer than
 * any seen before, or a map installs more tables than any before.
 */
final class WalkScratch {
    private static final ThreadLocal<WalkScratch> OF = ThreadLocal.withInitial(WalkScratch::new);
    /**
     * The first thread's scratch, checked against the calling thread before use: that thread
     * skips the ThreadLocal lookup. Set once, never rewritten: threads taking turns would
     * otherwise write it on every call and move its cache line between cores each time. A
     * plain field: a stale or racy value only costs the lookup, since a scratch is used only
     * by the thread {@link #owner} names (final, so seen as written).
     */
    private static WalkScratch first;

    /** The thread this scratch belongs to. */
    private final Thread owner = Thread.currentThread();

    static WalkScratch get() {
        WalkScratch s = first;
        if (s != null && s.owner == Thread.currentThread()) {
            return s;
        }
        s = OF.get();
        if (first == null) {
            first = s;
        }
        return s;
    }

    // The tables the current mapPages walk installed on its way down, for undoInstalled.
    final long[] pathTable = new long[LpaeFormat.MAX_LEVELS];
    final long[] pathPtep = new long[LpaeFormat.MAX_LEVELS];
    final long[] installed = new long[LpaeFormat.MAX_LEVELS];

    // Every table the current map() call installed, across its mapPages steps, for its unroll.
    long[] newParent = new long[8];
    long[] newPtep = new long[8];
    long[] newTable = new long[8];
    int newTables;

    /** What the last failed {@code mapLocked} had mapped of its range before it failed. */
    long failedDone;

    /** The entries a map of page runs reads and writes. */
    byte[] mapRun = new byte[512];
    /** The entries an unmap of a run of leaves reads. */
    byte[] unmapRun = new byte[512];

    void logNewTable(long parent, long ptep, long table) {
        if (newTables == newTable.length) {
            newParent = Arrays.copyOf(newParent, newTables * 2);
            newPtep = Arrays.copyOf(newPtep, newTables * 2);
            newTable = Arrays.copyOf(newTable, newTables * 2);
        }
        newParent[newTables] = parent;
        newPtep[newTables] = ptep;
        newTable[newTables++] = table;
    }

    byte[] mapRun(int bytes) {
        if (mapRun.length < bytes) {
            mapRun = new byte[Math.max(bytes, 512)];
        }
        return mapRun;
    }

    byte[] unmapRun(int bytes) {
        if (unmapRun.length < bytes) {
            unmapRun = new byte[Math.max(bytes, 512)];
        }
        return unmapRun;
    }
}
