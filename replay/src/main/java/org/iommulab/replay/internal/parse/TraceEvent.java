package org.iommulab.replay.internal.parse;

import org.iommulab.api.dma.DmaDirection;

/**
 * One trace event as parsed from one line: where it was (line, timestamp, CPU, task) and the
 * fields its TP_printk format carries. Immutable. Fields an event's format does not print are
 * {@link #ABSENT} (numbers), null (direction, device, names) or {@link LongArray#EMPTY}
 * (arrays); see {@link EventKind.Format} for which event prints what.
 */
public final class TraceEvent {
    /** Value of a numeric field the event does not print. */
    public static final long ABSENT = -1L;

    /** {@link #context()}: task (process) context, or no latency flags printed. */
    public static final int TASK = 0;
    /** {@link #context()}: softirq ({@code 's'} in the latency flags). */
    public static final int SOFTIRQ = 1;
    /** {@link #context()}: hard interrupt ({@code 'h'}, or {@code 'H'}: a hard interrupt inside a softirq). */
    public static final int HARDIRQ = 2;
    /** {@link #context()}: NMI ({@code 'z'}, or {@code 'Z'}: an NMI inside a hard interrupt). */
    public static final int NMI = 3;

    private final long line;
    private final long timestampNs;
    private final int cpu;
    private final int context;
    private final int pid;
    private final String task;
    private final EventKind kind;
    private final String device;
    private final DmaDirection dir;
    private final int attrs;
    private final String unknownAttrs;
    private final long dmaAddr;
    private final long physAddr;
    private final long size;
    private final LongArray physAddrs;
    private final LongArray dmaAddrs;
    private final LongArray lengths;
    private final int fullNents;
    private final int fullEnts;
    private final boolean truncated;
    private final int err;
    private final long iova;
    private final long unmappedSize;
    private final String driver;
    private final int faultFlags;

    private TraceEvent(Builder b) {
        line = b.line;
        timestampNs = b.timestampNs;
        cpu = b.cpu;
        context = b.context;
        pid = b.pid;
        task = b.task;
        kind = b.kind;
        device = b.device;
        dir = b.dir;
        attrs = b.attrs;
        unknownAttrs = b.unknownAttrs;
        dmaAddr = b.dmaAddr;
        physAddr = b.physAddr;
        size = b.size;
        physAddrs = b.physAddrs;
        dmaAddrs = b.dmaAddrs;
        lengths = b.lengths;
        fullNents = b.fullNents;
        fullEnts = b.fullEnts;
        truncated = b.truncated;
        err = b.err;
        iova = b.iova;
        unmappedSize = b.unmappedSize;
        driver = b.driver;
        faultFlags = b.faultFlags;
    }

    /**
     * The event of {@code b} that sets only the prefix and the fields of the common formats
     * ({@link Builder#resetCommon}); the rest (the scatterlist arrays and counts, err, driver,
     * fault flags) take a new builder's values, which such a builder never leaves.
     */
    private TraceEvent(Builder b, boolean common) {
        line = b.line;
        timestampNs = b.timestampNs;
        cpu = b.cpu;
        context = b.context;
        pid = b.pid;
        task = b.task;
        kind = b.kind;
        device = b.device;
        dir = b.dir;
        attrs = b.attrs;
        unknownAttrs = b.unknownAttrs;
        dmaAddr = b.dmaAddr;
        physAddr = b.physAddr;
        size = b.size;
        physAddrs = LongArray.EMPTY;
        dmaAddrs = LongArray.EMPTY;
        lengths = LongArray.EMPTY;
        fullNents = 0;
        fullEnts = 0;
        truncated = false;
        err = 0;
        iova = b.iova;
        unmappedSize = b.unmappedSize;
        driver = null;
        faultFlags = 0;
    }

    static Builder builder(EventKind kind) {
        return new Builder(kind);
    }

    /** 1-based line number in the (decompressed) trace. */
    public long line() {
        return line;
    }

    /** Timestamp in nanoseconds as the trace printed it (seconds.micro(nano)seconds). */
    public long timestampNs() {
        return timestampNs;
    }

    public int cpu() {
        return cpu;
    }

    /**
     * The context the event was printed in, from the latency flags' hardirq/softirq column
     * ({@code trace_print_lat_fmt}, kernel/trace/trace_output.c): {@link #TASK}, {@link #SOFTIRQ},
     * {@link #HARDIRQ} or {@link #NMI}. An interrupt's events carry the interrupted task's pid,
     * so only this column tells them apart. {@link #TASK} when the trace has no latency flags.
     */
    public int context() {
        return context;
    }

    /** The context column of latency flags {@code flags[from, to)} (its third character). */
    static int context(CharSequence flags, int from, int to) {
        if (to - from < 3) {
            return TASK;
        }
        switch (flags.charAt(from + 2)) {
            case 'h': case 'H': return HARDIRQ;
            case 's': return SOFTIRQ;
            case 'z': case 'Z': return NMI;
            default: return TASK;
        }
    }

    public int pid() {
        return pid;
    }

    public String task() {
        return task;
    }

    public EventKind kind() {
        return kind;
    }

    /** {@code dev_name()} of the device, or null for {@code iommu:map}/{@code unmap}, which name none. */
    public String device() {
        return device;
    }

    /** The direction, or null when the event prints none or an unknown value. */
    public DmaDirection dir() {
        return dir;
    }

    /** The {@code DMA_ATTR_*} bits this model knows ({@link org.iommulab.api.dma.DmaAttrs}). */
    public int attrs() {
        return attrs;
    }

    /** Attribute names or bits the trace printed that the model does not know, joined by '|', or null. */
    public String unknownAttrs() {
        return unknownAttrs;
    }

    /** {@code dma_addr} of single mappings, allocations, frees and single syncs. */
    public long dmaAddr() {
        return dmaAddr;
    }

    /** {@code phys_addr} of {@code dma_map_page/phys/resource}. */
    public long physAddr() {
        return physAddr;
    }

    /** {@code size} (bytes); for {@code iommu:map}/{@code unmap} the mapped or requested size. */
    public long size() {
        return size;
    }

    /** {@code phys_addrs} (CPU view: {@code sg_phys} of each entry). */
    public LongArray physAddrs() {
        return physAddrs;
    }

    /** {@code dma_addrs} (DMA view: {@code sg_dma_address} of each segment). */
    public LongArray dmaAddrs() {
        return dmaAddrs;
    }

    /** {@code sizes} ({@code sg_dma_len} of each segment). */
    public LongArray lengths() {
        return lengths;
    }

    /** dma_map_sg: the entry count passed to the call ({@code nents}), even when the arrays were capped. */
    public int fullNents() {
        return fullNents;
    }

    /** dma_map_sg: the DMA segment count the call returned ({@code ents}), even when capped. */
    public int fullEnts() {
        return fullEnts;
    }

    /** dma_map_sg: the arrays hold only the first 128 values ({@code [TRUNCATED]}). */
    public boolean truncated() {
        return truncated;
    }

    /** dma_map_sg_err: the error the call returned. */
    public int err() {
        return err;
    }

    /** iommu map/unmap/io_page_fault: the IOVA. */
    public long iova() {
        return iova;
    }

    /** iommu unmap: the bytes actually unmapped. */
    public long unmappedSize() {
        return unmappedSize;
    }

    /** io_page_fault: the driver name. */
    public String driver() {
        return driver;
    }

    /** io_page_fault: the fault flags. */
    public int faultFlags() {
        return faultFlags;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder().append(kind.traceName()).append('@').append(line);
        if (device != null) {
            b.append(' ').append(device);
        }
        if (dir != null) {
            b.append(" dir=").append(dir);
        }
        if (dmaAddr != ABSENT) {
            b.append(" dma=0x").append(Long.toHexString(dmaAddr));
        }
        if (physAddr != ABSENT) {
            b.append(" phys=0x").append(Long.toHexString(physAddr));
        }
        if (size != ABSENT) {
            b.append(" size=").append(size);
        }
        if (!physAddrs.isEmpty()) {
            b.append(" phys=").append(physAddrs);
        }
        if (!dmaAddrs.isEmpty()) {
            b.append(" dma=").append(dmaAddrs).append(" sizes=").append(lengths);
        }
        return b.toString();
    }

    /**
     * Collects the fields of one event; the parser fills it and builds once, or, on its hot path,
     * {@link #reset}s one builder for every line.
     */
    static final class Builder {
        private EventKind kind;
        long line;
        long timestampNs;
        int cpu;
        int context;
        int pid;
        String task;
        String device;
        DmaDirection dir;
        int attrs;
        String unknownAttrs;
        long dmaAddr = ABSENT;
        long physAddr = ABSENT;
        long size = ABSENT;
        LongArray physAddrs = LongArray.EMPTY;
        LongArray dmaAddrs = LongArray.EMPTY;
        LongArray lengths = LongArray.EMPTY;
        int fullNents;
        int fullEnts;
        boolean truncated;
        int err;
        long iova = ABSENT;
        long unmappedSize = ABSENT;
        String driver;
        int faultFlags;

        private Builder(EventKind kind) {
            this.kind = kind;
        }

        EventKind kind() {
            return kind;
        }

        /** Back to the state of a new builder of {@code k}. */
        Builder reset(EventKind k) {
            kind = k;
            line = 0;
            timestampNs = 0;
            cpu = 0;
            context = 0;
            pid = 0;
            task = null;
            device = null;
            dir = null;
            attrs = 0;
            unknownAttrs = null;
            dmaAddr = ABSENT;
            physAddr = ABSENT;
            size = ABSENT;
            physAddrs = LongArray.EMPTY;
            dmaAddrs = LongArray.EMPTY;
            lengths = LongArray.EMPTY;
            fullNents = 0;
            fullEnts = 0;
            truncated = false;
            err = 0;
            iova = ABSENT;
            unmappedSize = ABSENT;
            driver = null;
            faultFlags = 0;
            return this;
        }

        TraceEvent build() {
            return new TraceEvent(this);
        }

        /**
         * For a builder that only ever sets the prefix and the fields of the common formats
         * (FastLine's): back to a new builder's state of {@code k} by resetting those alone.
         */
        Builder resetCommon(EventKind k) {
            kind = k;
            device = null;
            dir = null;
            attrs = 0;
            unknownAttrs = null;
            dmaAddr = ABSENT;
            physAddr = ABSENT;
            size = ABSENT;
            iova = ABSENT;
            unmappedSize = ABSENT;
            return this;
        }

        /** {@link #build} for a builder kept by {@link #resetCommon}. */
        TraceEvent buildCommon() {
            return new TraceEvent(this, true);
        }
    }
}
