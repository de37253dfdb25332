package org.iommulab.replay.internal.sg;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

import org.iommulab.api.dma.DmaMasks;
import org.iommulab.replay.internal.parse.EventKind;
import org.iommulab.replay.internal.parse.TraceEvent;

/**
 * Puts the traced DMA-API calls in the order Linux performed them, and pairs each mapping call
 * with the {@code iommu:map} events it produced. The trace prints a mapping call late:
 * {@code iommu_dma_map_phys} allocates the IOVA ({@code iommu_dma_alloc_iova}) before it maps
 * ({@code iommu_map} prints {@code iommu:map}, drivers/iommu/iommu.c), and
 * {@code dma_map_phys} prints {@code dma:dma_map_*} only after the mapping returned
 * (kernel/dma/mapping.c); {@code dma_map_sg}, {@code dma_alloc} and friends likewise. An
 * interrupt that arrives in between runs its handler after the allocation, yet its events are
 * printed before the call's. So each mapping call is replayed at its first {@code iommu:map}
 * event (when its IOVA was taken), not at its own line, and everything printed in between runs
 * after it, in trace order.
 *
 * <p>Which maps belong to which call: the events name no device, so they are paired by context
 * and by address. A context is a CPU and what runs on it: a task (by pid), or the softirq, hard
 * interrupt or NMI level, told apart by the latency flags (an interrupt's events carry the
 * interrupted task's pid). An interrupt-context call never closes a task's window, nor the
 * reverse. A context's maps since its previous DMA-API event are claimed by its next DMA-API
 * event when they lie in the IOVA range that call reports: the granule-aligned span of a single
 * mapping or allocation, and for {@code dma_map_sg} the contiguous run of maps from its first
 * segment's granule ({@code iommu_dma_map_sg} allocates one IOVA range for the whole list and
 * {@code iommu_map_sg} maps it run by run). Maps no call claims are reported as unclaimed with
 * the event that closed their window (an MSI doorbell mapped by {@code iommu_dma_get_msi_page}
 * while a driver probes: an {@code iommu:map} with no DMA-API call).
 *
 * <p>Memory is bounded: at most {@value #MAX_RUN} maps are kept per open window (a longer one is
 * incomplete and claims nothing), and when {@value #MAX_BUFFER} events wait behind an open window,
 * the oldest window is closed with no claiming call.
 */
public final class CallOrder {
    static final int MAX_RUN = 1024;
    static final int MAX_BUFFER = 1 << 16;

    /** Receives the events in replay order. */
    public interface Sink {
        /**
         * A DMA-API call to replay now. {@code maps} are the {@code iommu:map} events it produced
         * (empty when none did); {@code at} is the event whose moment the call takes: its first
         * map, or itself.
         */
        void call(TraceEvent e, PrecedingMaps maps, TraceEvent at);

        /**
         * An {@code iommu:map} no DMA-API call claimed, at its own moment; {@code closer} is the
         * DMA-API event of the same context that closed its window, or null when none did.
         */
        void unclaimed(TraceEvent map, TraceEvent closer);

        /** Any other event (iommu unmap, attach, fault), at its own position. */
        default void other(TraceEvent e) {
        }
    }

    private final long granule;
    private final Sink sink;
    private final ArrayDeque<Slot> slots = new ArrayDeque<>();
    private final Windows windows = new Windows();
    /** Slots and windows done with, for reuse: a replay makes none per event once warm. */
    private final ArrayDeque<Slot> freeSlots = new ArrayDeque<>();
    private final ArrayDeque<Window> freeWindows = new ArrayDeque<>();
    private long forcedWindows;
    private long overflowedWindows;

    /** At most this many spare slots and windows are kept. */
    private static final int POOL = 1024;

    /** @param granule the IOMMU granule the trace's IOVAs are aligned to */
    public CallOrder(long granule, Sink sink) {
        if (granule <= 0 || Long.bitCount(granule) != 1 || sink == null) {
            throw new IllegalArgumentException("a call order needs a power-of-two granule and a sink");
        }
        this.granule = granule;
        this.sink = sink;
    }

    /** One position of the trace: an event to hand out, or a map whose fate its window decides. */
    private static final class Slot {
        TraceEvent event;
        Window window;
        /** 0 undecided, 1 hand out as a call, 2 hand out as unclaimed, 3 hand out as other, 4 nothing. */
        int fate;
        /** Marked by {@link #claim} while its window closes. */
        boolean claimed;
        TraceEvent call;
        PrecedingMaps maps;
        TraceEvent closer;
    }

    /** The maps of one context since its previous DMA-API event. */
    private static final class Window {
        long key;
        final List<Slot> maps = new ArrayList<>();
        boolean overflowed;
    }

    private Slot slot(TraceEvent event, Window window) {
        Slot s = freeSlots.pollLast();
        if (s == null) {
            s = new Slot();
        }
        s.event = event;
        s.window = window;
        return s;
    }

    private void recycle(Slot s) {
        s.event = null;
        s.window = null;
        s.fate = 0;
        s.claimed = false;
        s.call = null;
        s.maps = null;
        s.closer = null;
        if (freeSlots.size() < POOL) {
            freeSlots.addLast(s);
        }
    }

    private Window window(long key) {
        Window w = freeWindows.pollLast();
        if (w == null) {
            w = new Window();
        }
        w.key = key;
        return w;
    }

    /** {@code w} is closed: its maps all have their fate, and no slot needs it any more. */
    private void recycle(Window w) {
        w.maps.clear();
        w.overflowed = false;
        if (freeWindows.size() < POOL) {
            freeWindows.addLast(w);
        }
    }

    /** Feeds the next event in trace order. */
    public void accept(TraceEvent e) {
        EventKind k = e.kind();
        if (k == EventKind.IOMMU_MAP) {
            long key = key(e);
            Window w = windows.get(key);
            if (w == null) {
                w = window(key);
                windows.put(key, w);
            }
            Slot s = slot(e, w);
            if (w.maps.size() < MAX_RUN) {
                w.maps.add(s);
            } else {
                w.overflowed = true;
                s.fate = 4; // dropped: the window claims nothing anyway
            }
            slots.add(s);
        } else if (k.isDma()) {
            Window w = windows.remove(key(e));
            if (w == null && slots.isEmpty()) {
                sink.call(e, PrecedingMaps.NONE, e); // nothing waits: what drain would do at once
                return;
            }
            if (w != null && !w.overflowed && w.maps.size() == 1 && slots.size() == 1 && slots.peekFirst() == w.maps.get(0)
                    && claim(e, w.maps) == 1) {
                // Its window's one map, all that waits, is the call's: what close and drain
                // would do at once (the call at the map's moment, with it), without a slot.
                Slot m = slots.pollFirst();
                m.claimed = false;
                TraceEvent me = m.event;
                PrecedingMaps maps = new PrecedingMaps(List.of(new IommuMap(me.iova(), me.physAddr(), me.size(), me.pid(),
                        me.line())), true);
                recycle(w);
                sink.call(e, maps, me);
                recycle(m);
                return;
            }
            Slot own = slot(e, null);
            own.fate = 1;
            own.call = e;
            own.maps = PrecedingMaps.NONE;
            if (w != null) {
                close(w, e, own);
            }
            slots.add(own);
        } else {
            Slot s = slot(e, null);
            s.fate = 3;
            slots.add(s);
        }
        drain();
        while (slots.size() > MAX_BUFFER && slots.peekFirst().fate == 0) {
            Window w = slots.peekFirst().window;
            windows.remove(w.key);
            forcedWindows++;
            close(w, null, null);
            drain();
        }
    }

    /** The end of the trace: every open window closes with no claiming call. */
    public void finish() {
        for (Window w : windows.values()) {
            close(w, null, null);
        }
        windows.clear();
        drain();
    }

    /** Windows closed early because too many events waited behind them. */
    public long forcedWindows() {
        return forcedWindows;
    }

    /** Windows with more maps than kept: their maps were claimed by nothing. */
    public long overflowedWindows() {
        return overflowedWindows;
    }

    /**
     * Decides the fate of {@code w}'s maps: those {@code call} claims make it take the moment of
     * the first of them (its own slot {@code own} then hands out nothing); the rest are unclaimed.
     */
    private void close(Window w, TraceEvent call, Slot own) {
        if (w.overflowed) {
            overflowedWindows++;
        }
        int claimed = call == null || w.overflowed ? 0 : claim(call, w.maps);
        Slot first = null;
        IommuMap only = null;
        IommuMap[] all = claimed > 1 ? new IommuMap[claimed] : null;
        int n = 0;
        for (Slot s : w.maps) {
            boolean mine = s.claimed;
            s.claimed = false;
            if (s.fate != 0) {
                continue;
            }
            if (mine) {
                s.fate = 4;
                TraceEvent m = s.event;
                IommuMap map = new IommuMap(m.iova(), m.physAddr(), m.size(), m.pid(), m.line());
                if (first == null) {
                    first = s;
                    only = map;
                }
                if (all != null) {
                    all[n++] = map;
                }
            } else {
                s.fate = 2;
                s.closer = w.overflowed ? null : call;
            }
        }
        if (first != null) {
            first.fate = 1;
            first.call = call;
            first.maps = new PrecedingMaps(all == null ? List.of(only) : List.of(all), true);
            own.fate = 4;
        } else if (own != null && w.overflowed) {
            own.maps = new PrecedingMaps(List.of(), false);
        }
        recycle(w);
    }

    /** Marks the maps of {@code w} that {@code call} produced ({@link Slot#claimed}); returns how many. */
    private int claim(TraceEvent call, List<Slot> maps) {
        switch (call.kind()) {
            case DMA_MAP_PAGE:
            case DMA_MAP_PHYS:
            case DMA_MAP_RESOURCE:
            case DMA_ALLOC:
            case DMA_ALLOC_PAGES:
            case DMA_ALLOC_SGT: {
                long d = call.dmaAddr();
                if (d == DmaMasks.MAPPING_ERROR || d == TraceEvent.ABSENT || call.size() <= 0 || d == 0
                        && call.kind() != EventKind.DMA_MAP_PAGE && call.kind() != EventKind.DMA_MAP_PHYS) {
                    return 0;
                }
                long start = d & -granule;
                long end = (d + call.size() + granule - 1) & -granule;
                int count = 0;
                for (int i = 0; i < maps.size(); i++) {
                    Slot s = maps.get(i);
                    long iova = s.event.iova();
                    if (Long.compareUnsigned(iova, start) >= 0 && Long.compareUnsigned(iova + s.event.size(), end) <= 0) {
                        s.claimed = true;
                        count++;
                    }
                }
                return count;
            }
            case DMA_MAP_SG: {
                if (call.dmaAddrs().isEmpty()) {
                    return 0;
                }
                // iommu_dma_map_sg: one IOVA range from the first segment's granule; iommu_map_sg
                // maps it in contiguous runs.
                long next = call.dmaAddrs().get(0) & -granule;
                int count = 0;
                for (int i = 0; i < maps.size(); i++) {
                    Slot s = maps.get(i);
                    if (s.event.iova() == next) {
                        s.claimed = true;
                        count++;
                        next = s.event.iova() + s.event.size();
                    }
                }
                return count;
            }
            default:
                return 0;
        }
    }

    private void drain() {
        while (!slots.isEmpty() && slots.peekFirst().fate != 0) {
            Slot s = slots.pollFirst();
            switch (s.fate) {
                case 1:
                    sink.call(s.call, s.maps, s.event);
                    break;
                case 2:
                    sink.unclaimed(s.event, s.closer);
                    break;
                case 3:
                    sink.other(s.event);
                    break;
                default:
                    break;
            }
            recycle(s);
        }
    }

    /** The context of {@code e}: its CPU, and its task's pid or its interrupt level. */
    private static long key(TraceEvent e) {
        long level = e.context() == TraceEvent.TASK ? (e.pid() & 0xffff_ffffL) : (1L << 32) + e.context();
        return ((long) e.cpu() << 34) ^ level;
    }

    /**
     * The open windows by context key: open addressing on primitive keys (no boxing of the key
     * per event), deleting by shifting back, so no tombstones pile up.
     */
    private static final class Windows {
        private long[] keys = new long[16];
        private Window[] values = new Window[16];
        private int size;

        private int index(long key) {
            long h = key * 0x9E3779B97F4A7C15L;
            return (int) (h ^ h >>> 32) & (keys.length - 1);
        }

        Window get(long key) {
            for (int i = index(key); values[i] != null; i = (i + 1) & (keys.length - 1)) {
                if (keys[i] == key) {
                    return values[i];
                }
            }
            return null;
        }

        void put(long key, Window w) {
            if ((size + 1) * 2 > keys.length) {
                grow();
            }
            int i = index(key);
            while (values[i] != null) {
                if (keys[i] == key) {
                    values[i] = w;
                    return;
                }
                i = (i + 1) & (keys.length - 1);
            }
            keys[i] = key;
            values[i] = w;
            size++;
        }

        Window remove(long key) {
            int mask = keys.length - 1;
            int i = index(key);
            while (values[i] != null && keys[i] != key) {
                i = (i + 1) & mask;
            }
            Window w = values[i];
            if (w == null) {
                return null;
            }
            values[i] = null;
            size--;
            // shift back the entries of the run after i that hash at or before i
            for (int j = (i + 1) & mask; values[j] != null; j = (j + 1) & mask) {
                int home = index(keys[j]);
                if (((j - home) & mask) >= ((j - i) & mask)) {
                    keys[i] = keys[j];
                    values[i] = values[j];
                    values[j] = null;
                    i = j;
                }
            }
            return w;
        }

        List<Window> values() {
            List<Window> all = new ArrayList<>(size);
            for (Window w : values) {
                if (w != null) {
                    all.add(w);
                }
            }
            return all;
        }

        void clear() {
            java.util.Arrays.fill(values, null);
            size = 0;
        }

        private void grow() {
            long[] oldKeys = keys;
            Window[] oldValues = values;
            keys = new long[oldKeys.length * 2];
            values = new Window[oldValues.length * 2];
            size = 0;
            for (int i = 0; i < oldKeys.length; i++) {
                if (oldValues[i] != null) {
                    put(oldKeys[i], oldValues[i]);
                }
            }
        }
    }
}
