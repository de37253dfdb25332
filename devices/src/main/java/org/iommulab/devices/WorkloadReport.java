package org.iommulab.devices;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What one run of a {@link Workload} did and found. Immutable; drivers fill a {@link Builder}.
 *
 * <p>Counts: {@code operations} are the workload's own units (packets, block requests, frames,
 * MMC requests, copies); {@code bytes} the payload bytes the device moved; {@code sgLists},
 * {@code cpuEntries} and {@code dmaSegments} describe the scatterlists it mapped (CPU entries
 * in, DMA segments out: fewer segments than entries means the backend merged);
 * {@code faults} the device accesses that were denied; {@code mapFailures} the mappings that
 * failed; {@code dataErrors} what the end-to-end data check found wrong (wrong bytes, or for
 * a checksummed transfer, bad packets); {@code skipped} the operations the driver declined
 * because the platform cannot serve them (each explained in {@link #notes()}), which is not a
 * failure.
 */
public final class WorkloadReport {
    private final String workload;
    private final String device;
    private final String backend;
    private final long operations;
    private final long bytes;
    private final long sgLists;
    private final long cpuEntries;
    private final long dmaSegments;
    private final long faults;
    private final long mapFailures;
    private final long dataErrors;
    private final long skipped;
    private final String firstError;
    private final List<String> notes;
    private final SgLayout sgLayout;

    private WorkloadReport(Builder b) {
        workload = b.workload;
        device = b.device;
        backend = b.backend;
        operations = b.operations;
        bytes = b.bytes;
        sgLists = b.sgLists;
        cpuEntries = b.cpuEntries;
        dmaSegments = b.dmaSegments;
        faults = b.faults;
        mapFailures = b.mapFailures;
        dataErrors = b.dataErrors;
        skipped = b.skipped;
        firstError = b.firstError;
        notes = Collections.unmodifiableList(new ArrayList<>(b.notes));
        sgLayout = b.sgLayout;
    }

    /** A builder for a run of {@code workload} on {@code device} bound to {@code backend}. */
    public static Builder builder(String workload, String device, String backend) {
        return new Builder(workload, device, backend);
    }

    public String workload() {
        return workload;
    }

    public String device() {
        return device;
    }

    /** The backend the run used. */
    public String backend() {
        return backend;
    }

    public long operations() {
        return operations;
    }

    public long bytes() {
        return bytes;
    }

    public long sgLists() {
        return sgLists;
    }

    /** CPU entries of the mapped scatterlists, summed ({@code orig_nents}). */
    public long cpuEntries() {
        return cpuEntries;
    }

    /** DMA segments the mappings returned, summed ({@code nents}). */
    public long dmaSegments() {
        return dmaSegments;
    }

    /** Average DMA segments per mapped scatterlist, 0 when none was mapped. */
    public double segmentsPerSgList() {
        return sgLists == 0 ? 0 : (double) dmaSegments / sgLists;
    }

    /** Average CPU entries per mapped scatterlist, 0 when none was mapped. */
    public double entriesPerSgList() {
        return sgLists == 0 ? 0 : (double) cpuEntries / sgLists;
    }

    /** True when the backend merged at least one scatterlist (fewer DMA segments than CPU entries). */
    public boolean merged() {
        return dmaSegments < cpuEntries;
    }

    public long faults() {
        return faults;
    }

    public long mapFailures() {
        return mapFailures;
    }

    public long dataErrors() {
        return dataErrors;
    }

    public long skipped() {
        return skipped;
    }

    /** The first thing that went wrong, or null. */
    public String firstError() {
        return firstError;
    }

    /** Lines the driver wants the reader to see (why it skipped something), in order. */
    public List<String> notes() {
        return notes;
    }

    /**
     * One scatterlist of the run as the driver saw it, for a picture: the first merged list the
     * driver recorded, else the first one; null when the driver records none.
     *
     * @since 1.1
     */
    public SgLayout sgLayout() {
        return sgLayout;
    }

    /** True when nothing went wrong: no fault, failed mapping, data error or error message. */
    public boolean clean() {
        return faults == 0 && mapFailures == 0 && dataErrors == 0 && firstError == null;
    }

    @Override
    public String toString() {
        return workload + "@" + device + "/" + backend + ": ops=" + operations + " bytes=" + bytes + " sg=" + sgLists
                + " entries=" + cpuEntries + " segments=" + dmaSegments + " faults=" + faults + " mapFailures="
                + mapFailures + " dataErrors=" + dataErrors + " skipped=" + skipped
                + (firstError == null ? "" : " first error: " + firstError);
    }

    /** Collects a run's counts; not thread-safe (one run, one thread). */
    public static final class Builder {
        private final String workload;
        private final String device;
        private final String backend;
        private long operations;
        private long bytes;
        private long sgLists;
        private long cpuEntries;
        private long dmaSegments;
        private long faults;
        private long mapFailures;
        private long dataErrors;
        private long skipped;
        private String firstError;
        private final List<String> notes = new ArrayList<>();
        private SgLayout sgLayout;

        private Builder(String workload, String device, String backend) {
            if (workload == null || device == null || backend == null) {
                throw new IllegalArgumentException("a workload report needs a workload, a device and a backend name");
            }
            this.workload = workload;
            this.device = device;
            this.backend = backend;
        }

        /** One operation done, moving {@code payloadBytes}. */
        public Builder operation(long payloadBytes) {
            operations++;
            bytes += payloadBytes;
            return this;
        }

        /** One scatterlist mapped: {@code entries} CPU entries came back as {@code segments} DMA segments. */
        public Builder sgList(int entries, int segments) {
            sgLists++;
            cpuEntries += entries;
            dmaSegments += segments;
            return this;
        }

        /** A device access was denied. */
        public Builder fault(String what) {
            faults++;
            return error(what);
        }

        /** A mapping failed. */
        public Builder mapFailure(String what) {
            mapFailures++;
            return error(what);
        }

        /** The data check found {@code count} errors. */
        public Builder dataErrors(long count, String what) {
            if (count > 0) {
                dataErrors += count;
                error(what);
            }
            return this;
        }

        /** The driver declined an operation the platform cannot serve; the note says why. */
        public Builder skipped(String note) {
            skipped++;
            return note(note);
        }

        /** Records {@code what} as the first error if there is none yet (counts nothing). */
        public Builder error(String what) {
            if (firstError == null) {
                firstError = what == null ? "(no message)" : what;
            }
            return this;
        }

        /** Adds a line for the reader, once (repeated lines are kept once). */
        public Builder note(String line) {
            if (line != null && !notes.contains(line)) {
                notes.add(line);
            }
            return this;
        }

        /**
         * Records a scatterlist's layout: kept when none is yet, or when it is the first merged
         * one after unmerged ones (a merged list is the one worth drawing).
         *
         * @since 1.1
         */
        public Builder sgLayout(SgLayout layout) {
            if (layout != null && (sgLayout == null || (!sgLayout.merged() && layout.merged()))) {
                sgLayout = layout;
            }
            return this;
        }

        /** True when a merged layout is recorded already: a driver need not build another. */
        public boolean hasMergedSgLayout() {
            return sgLayout != null && sgLayout.merged();
        }

        public WorkloadReport build() {
            return new WorkloadReport(this);
        }
    }
}
