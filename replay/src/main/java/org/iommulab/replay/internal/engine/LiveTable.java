package org.iommulab.replay.internal.engine;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The replay's mappings of one device, by the trace's addresses: the table that matches a
 * traced unmap or sync to the mapping the replay made for it. Single mappings and allocations
 * are keyed by the trace's DMA address (a sync may land inside one); sg mappings by their first
 * entry's physical address (what dma_unmap_sg prints) and by their first segment's DMA address
 * (what dma_sync_sg prints). Calls whose mapping was skipped or failed are remembered apart,
 * so their unmap is counted as such rather than as misuse.
 */
final class LiveTable {
    /** By trace DMA address: the latest mapping there, its {@link Live#next} the earlier ones. */
    private final SortedLongTable<Live> singles = new SortedLongTable<>();
    private final Map<Long, Live> sgByPhys = new HashMap<>();
    private final Map<Long, Live> sgByDma = new HashMap<>();
    /** Every traced DMA segment of the live sg mappings, by its start. */
    private final TreeMap<Long, Live> sgSegments = new TreeMap<>();
    private final TreeMap<Long, Long> skippedSingles = new TreeMap<>();
    private final Map<Long, Long> skippedSgPhys = new HashMap<>();
    private final Set<Long> skippedSgDma = new HashSet<>();

    void addSingle(Live l) {
        l.next = singles.get(l.traceDma);
        singles.put(l.traceDma, l);
        if (!skippedSingles.isEmpty()) {
            skippedSingles.remove(l.traceDma);
        }
    }

    /** The latest mapping at exactly {@code traceDma}, preferring one of {@code size}; or null. */
    Live single(long traceDma, long size) {
        Live head = singles.get(traceDma);
        for (Live l = head; l != null; l = l.next) {
            if (l.traceSize == size) {
                return l;
            }
        }
        return head;
    }

    /** The mapping whose trace range holds {@code traceAddr}, or null. */
    Live covering(long traceAddr) {
        for (Live l = singles.floor(traceAddr); l != null; l = l.next) {
            if (traceAddr - l.traceDma < l.traceSize) {
                return l;
            }
        }
        return null;
    }

    void removeSingle(Live l) {
        Live head = singles.get(l.traceDma);
        if (head == null) {
            return;
        }
        Live rest = unlink(head, l);
        if (rest == null) {
            singles.remove(l.traceDma);
        } else if (rest != head) {
            singles.put(l.traceDma, rest);
        }
    }

    void addSg(Live l, long firstTraceDma) {
        l.next = sgByPhys.get(l.traceFirstPhys);
        sgByPhys.put(l.traceFirstPhys, l);
        sgByDma.put(firstTraceDma, l);
        for (int k = 0; k < l.traceSegments.size(); k++) {
            sgSegments.put(l.traceSegments.get(k), l);
        }
        forgetSkippedSg(l.traceFirstPhys);
        skippedSgDma.remove(firstTraceDma);
    }

    /** The latest sg mapping whose first entry is at trace address {@code firstPhys}, or null. */
    Live sgByPhys(long firstPhys) {
        return sgByPhys.get(firstPhys);
    }

    /** The sg mapping whose first segment is at trace DMA address {@code firstDma}, or null. */
    Live sgByDma(long firstDma) {
        return sgByDma.get(firstDma);
    }

    void removeSg(Live l) {
        sgByPhys.compute(l.traceFirstPhys, (k, head) -> unlink(head, l));
        sgByDma.remove(l.traceDma, l);
        for (int k = 0; k < l.traceSegments.size(); k++) {
            sgSegments.remove(l.traceSegments.get(k), l);
        }
    }

    /** The sg mapping one of whose traced DMA segments holds {@code traceAddr}, or null. */
    Live sgCovering(long traceAddr) {
        Map.Entry<Long, Live> e = sgSegments.floorEntry(traceAddr);
        if (e == null) {
            return null;
        }
        Live l = e.getValue();
        for (int k = 0; k < l.traceSegments.size(); k++) {
            if (traceAddr - l.traceSegments.get(k) >= 0 && traceAddr - l.traceSegments.get(k) < l.traceLengths.get(k)) {
                return l;
            }
        }
        return null;
    }

    private static Live unlink(Live head, Live l) {
        if (head == l) {
            return l.next;
        }
        for (Live p = head; p != null; p = p.next) {
            if (p.next == l) {
                p.next = l.next;
                break;
            }
        }
        return head;
    }

    void skippedSingle(long traceDma, long size) {
        skippedSingles.put(traceDma, size);
    }

    /** True (and forgotten, if {@code forget}) when {@code traceAddr} is inside a skipped single mapping. */
    boolean wasSkippedSingle(long traceAddr, boolean forget) {
        Map.Entry<Long, Long> e = skippedSingles.floorEntry(traceAddr);
        if (e == null || traceAddr - e.getKey() >= Math.max(1, e.getValue())) {
            return false;
        }
        if (forget) {
            skippedSingles.remove(e.getKey());
        }
        return true;
    }

    /** A dma_map_sg that was not replayed: first entry's phys and first segment's DMA address (-1 if none). */
    void skippedSg(long firstPhys, long firstDma) {
        skippedSgPhys.put(firstPhys, firstDma);
        if (firstDma != -1) {
            skippedSgDma.add(firstDma);
        }
    }

    /** True (and forgotten) when the sg mapping with first entry at {@code firstPhys} was skipped. */
    boolean forgetSkippedSg(long firstPhys) {
        if (!skippedSgPhys.containsKey(firstPhys)) {
            return false;
        }
        Long dma = skippedSgPhys.remove(firstPhys);
        if (dma != null && dma != -1) {
            skippedSgDma.remove(dma);
        }
        return true;
    }

    boolean wasSkippedSgDma(long firstDma) {
        return skippedSgDma.contains(firstDma);
    }

    /** Every live entry (for leak counting and clean-up). */
    List<Live> all() {
        List<Live> all = new ArrayList<>();
        singles.forEach(head -> {
            for (Live l = head; l != null; l = l.next) {
                all.add(l);
            }
        });
        for (Live head : sgByPhys.values()) {
            for (Live l = head; l != null; l = l.next) {
                all.add(l);
            }
        }
        return all;
    }

    void clear() {
        singles.clear();
        sgByPhys.clear();
        sgByDma.clear();
        sgSegments.clear();
        skippedSingles.clear();
        skippedSgPhys.clear();
        skippedSgDma.clear();
    }
}
