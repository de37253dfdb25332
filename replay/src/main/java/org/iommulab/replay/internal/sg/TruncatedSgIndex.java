package org.iommulab.replay.internal.sg;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

import org.iommulab.replay.internal.parse.EventKind;
import org.iommulab.replay.internal.parse.LongArray;
import org.iommulab.replay.internal.parse.TraceEvent;

/**
 * The physical addresses of every entry of the {@code dma_map_sg} calls whose arrays the trace
 * capped at 128 ({@code [TRUNCATED]}), from the {@code dma_unmap_sg} that undoes each: the unmap
 * prints every entry's {@code sg_phys}. Built by one scan of the trace before the replay: a
 * truncated call is matched to the first later unmap of the same device whose first entry is
 * the call's and whose entry count is the call's {@code nents}. Holds only the truncated calls.
 */
public final class TruncatedSgIndex {
    /** An index that knows no call (the trace cannot be read twice). */
    public static final TruncatedSgIndex NONE = new TruncatedSgIndex();

    private final Map<String, ArrayDeque<TraceEvent>> open = new HashMap<>();
    private final Map<Long, LongArray> byLine = new HashMap<>();

    /** Feeds the next event of the scan. */
    public void accept(TraceEvent e) {
        if (e.kind() == EventKind.DMA_MAP_SG && e.truncated() && !e.physAddrs().isEmpty()) {
            open.computeIfAbsent(key(e.device(), e.physAddrs().get(0)), k -> new ArrayDeque<>()).add(e);
        } else if (e.kind() == EventKind.DMA_UNMAP_SG && !e.physAddrs().isEmpty()) {
            ArrayDeque<TraceEvent> q = open.get(key(e.device(), e.physAddrs().get(0)));
            if (q == null || q.isEmpty()) {
                return;
            }
            TraceEvent map = q.peekFirst();
            LongArray all = e.physAddrs();
            if (all.size() != map.fullNents() || !prefix(map.physAddrs(), all)) {
                return;
            }
            q.pollFirst();
            byLine.put(map.line(), all);
        }
    }

    /** Every entry's physical address of the truncated dma_map_sg at {@code line}, or null when no unmap printed them. */
    public LongArray entries(long line) {
        return byLine.get(line);
    }

    /** Truncated calls whose entries are known. */
    public int size() {
        return byLine.size();
    }

    private static boolean prefix(LongArray head, LongArray all) {
        if (head.size() > all.size()) {
            return false;
        }
        for (int i = 0; i < head.size(); i++) {
            if (head.get(i) != all.get(i)) {
                return false;
            }
        }
        return true;
    }

    private static String key(String device, long firstPhys) {
        return device + "@" + firstPhys;
    }
}
