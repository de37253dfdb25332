package org.iommulab.platform.internal.dma;

import java.util.ArrayDeque;
import java.util.IdentityHashMap;
import java.util.List;

import org.iommulab.api.checker.Finding;
import org.iommulab.api.checker.FindingKind;
import org.iommulab.api.dma.SgTable;
import org.iommulab.api.platform.PageAllocator;
import org.iommulab.platform.internal.checker.PhysRangeIndex;

/**
 * The {@link DeviceChecker}'s <b>sg entry rule</b> (beyond Linux): the CPU entries of the
 * device's sg tables, live and recently unmapped, and the check that a CPU access starting
 * inside entry i does not run past that entry's end. A table's entries are kept from its map
 * until the same table is mapped again, a new mapping of the device covers them or their memory
 * is freed, more than {@value #RETAINED_TABLES} tables were unmapped since, or the driver is
 * released. One finding per table until it is mapped again.
 *
 * <p>Thread-safety: every structure here is guarded by one lock of its own, taken inside the
 * device's table lock, or alone by a free on any thread ({@link #memoryFreed}).
 */
final class SgEntryChecks {
    /** Unmapped sg tables whose entries are still checked: at most this many. */
    static final int RETAINED_TABLES = 16;

    /** The CPU entries of one sg table as they were mapped, kept while it is checked. */
    private static final class TableEntries {
        final SgTable table;
        long[] starts = new long[8];
        int count;
        PhysRangeIndex.Node<TableEntries> chain;
        boolean live;
        boolean reported;

        TableEntries(SgTable table) {
            this.table = table;
        }

        int indexOf(long start) {
            for (int i = 0; i < count; i++) {
                if (starts[i] == start) {
                    return i;
                }
            }
            return -1;
        }
    }

    /** The CPU entries of the device's sg tables, live and recently unmapped. */
    private final PhysRangeIndex<TableEntries> sgEntries = new PhysRangeIndex<>();
    private final IdentityHashMap<SgTable, TableEntries> tables = new IdentityHashMap<>();
    private final ArrayDeque<TableEntries> retained = new ArrayDeque<>();
    /** Guards the sg entry structures: taken inside the table lock, or alone by a free on any thread. */
    private final Object sgLock = new Object();
    private volatile int retainedCount;

    /** An sg table was mapped: its entries, as they are now, are the ones checked (replacing any it had). */
    void mapped(LiveMappings lm, int e) {
        synchronized (sgLock) {
            recordEntries(lm, e);
        }
    }

    private void recordEntries(LiveMappings lm, int e) {
        TableEntries t = tables.get(lm.sg(e));
        if (t == null) {
            t = new TableEntries(lm.sg(e));
            tables.put(lm.sg(e), t);
        } else {
            sgEntries.removeChain(t.chain);
            t.chain = null;
            if (!t.live) {
                retained.remove(t);
                retainedCount = retained.size();
            }
        }
        if (t.starts.length < lm.callNents(e)) {
            t.starts = java.util.Arrays.copyOf(t.starts, Math.max(lm.callNents(e), t.starts.length * 2));
        }
        t.count = lm.callNents(e);
        for (int i = 0; i < lm.callNents(e); i++) {
            long p = lm.sg(e).cpuPhys(i);
            t.starts[i] = p;
            t.chain = sgEntries.add(p, p + lm.sg(e).cpuLength(i), t, t.chain);
        }
        t.live = true;
        t.reported = false;
    }

    /** An sg table was unmapped: its entries stay checked a while (the oldest retained table goes). */
    void unmapped(SgTable sg) {
        synchronized (sgLock) {
            TableEntries te = tables.get(sg);
            if (te != null && te.live) {
                te.live = false;
                retained.addLast(te);
                if (retained.size() > RETAINED_TABLES) {
                    forget(retained.peekFirst());
                }
                retainedCount = retained.size();
            }
        }
    }

    /**
     * Memory was freed (on any thread): unmapped tables with an entry there are forgotten, since
     * that memory may come back with another meaning (the next request's buffers).
     */
    void memoryFreed(long start, long size) {
        if (retainedCount == 0) {
            return;
        }
        forgetRetainedOver(start, start + size);
    }

    /** Unmapped tables with an entry in {@code [from, to)} are forgotten: that memory is mapped anew or freed. */
    void forgetRetainedOver(long from, long to) {
        if (retainedCount == 0) {
            return;
        }
        synchronized (sgLock) {
            forgetRetainedOverLocked(from, to);
        }
    }

    private void forgetRetainedOverLocked(long from, long to) {
        if (retained.isEmpty()) {
            return;
        }
        for (long p = from >>> PageAllocator.PAGE_SHIFT, last = (to - 1) >>> PageAllocator.PAGE_SHIFT; p <= last; p++) {
            PhysRangeIndex.Node<TableEntries> n = sgEntries.first(p);
            while (n != null) {
                PhysRangeIndex.Node<TableEntries> next = n.nextInPage();
                TableEntries t = n.owner();
                if (!t.live && n.start() < to && n.end() > from) {
                    forget(t);
                    next = sgEntries.first(p); // the page's list changed
                }
                n = next;
            }
        }
    }

    private void forget(TableEntries t) {
        sgEntries.removeChain(t.chain);
        t.chain = null;
        retained.remove(t);
        tables.remove(t.table);
        retainedCount = retained.size();
    }

    /** The driver is released: its unmapped sg tables go with it. */
    void driverReleased() {
        synchronized (sgLock) {
            while (!retained.isEmpty()) {
                forget(retained.peekFirst());
            }
        }
    }

    /**
     * The sg entry rule on one CPU access of {@code len} bytes at {@code addr}: a finding (raised
     * through {@code checker}) for each table, not yet reported, with an entry the access starts
     * inside and runs past.
     */
    List<Finding> cpuAccess(DeviceChecker checker, String backend, long addr, long len, boolean write, List<Finding> out) {
        long end = addr + len;
        synchronized (sgLock) {
            for (PhysRangeIndex.Node<TableEntries> n = sgEntries.first(addr >>> PageAllocator.PAGE_SHIFT); n != null;
                    n = n.nextInPage()) {
                TableEntries t = n.owner();
                if (n.start() <= addr && addr < n.end() && end > n.end() && !t.reported) {
                    t.reported = true;
                    int i = t.indexOf(n.start());
                    out = checker.raise(out, backend, FindingKind.CPU_ACCESS_PAST_SG_ENTRY,
                            DmaDebug.cpuPastSgEntry(write, addr, len, i, n.start(), n.end() - n.start(), t.live), -1, -1,
                            null, null, LiveMappings.NONE);
                }
            }
        }
        return out;
    }
}
