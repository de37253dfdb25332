package org.iommulab.replay.internal.engine;

import java.util.ArrayList;
import java.util.List;

import org.iommulab.api.admin.DeviceStats;
import org.iommulab.api.admin.PlatformAdmin;
import org.iommulab.api.admin.Stat;
import org.iommulab.api.checker.Finding;
import org.iommulab.api.dma.DmaApi;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.dma.DmaUsageException;
import org.iommulab.replay.internal.device.ReplayDevice;
import org.iommulab.replay.internal.parse.TraceEvent;

/**
 * One trace device during one backend pass: its DMA API on that backend (null when
 * unavailable), its live mappings and its report.
 */
final class PassDevice {
    final ReplayDevice device;
    final DmaApi api;
    final LiveTable table = new LiveTable();
    final DeviceReport report;
    final DeviceStats start;
    /** The device enabled MSI in this pass (its doorbell is mapped). */
    boolean msiDone;
    /**
     * Set when the platform reports and carries out this device's misused calls (checker policy
     * REPORT, as Linux's dma-debug): misuse is then read from the checker's findings, not from an
     * exception. Null under REFUSE.
     */
    PlatformAdmin reporting;
    /** The finding count read after the last call that returned normally, or -1 (read it again). */
    private long lastFindings = -1;

    PassDevice(ReplayDevice device, DmaApi api, DeviceReport report, DeviceStats start) {
        this.device = device;
        this.api = api;
        this.report = report;
        this.start = start;
    }

    /**
     * The live allocation of {@code kind} that the free {@code e} names, or null after counting
     * why there is none: its map was not replayed (a skip), it was never mapped, or it was made
     * by another function (misuse, as dma-debug's "wrong function").
     */
    Live toFree(TraceEvent e, Live.Kind kind) {
        Live l = table.single(e.dmaAddr(), e.size());
        if (l == null) {
            if (table.wasSkippedSingle(e.dmaAddr(), true)) {
                report.skip(SkipReason.MAP_NOT_REPLAYED);
            } else {
                report.countMisuse(MisuseKind.NEVER_MAPPED);
            }
            return null;
        }
        if (l.kind != kind) {
            report.countMisuse(MisuseKind.WRONG_FUNCTION);
            return null;
        }
        return l;
    }

    boolean usable() {
        return api != null;
    }

    /**
     * Runs one call against the DMA API, counting what the platform says: true when it
     * returned normally (under REPORT also when the checker reported it, then counted as misuse
     * by its finding: the call was carried out, as Linux's was); a {@link DmaUsageException} is
     * misuse (classified), an {@link IllegalArgumentException} bad input, anything else an error.
     * In every refused case the platform changed nothing.
     */
    boolean call(Runnable c) {
        try {
            long before = begin();
            c.run();
            done(before);
            return true;
        } catch (RuntimeException e) {
            return failed(e);
        }
    }

    /**
     * {@link #call} in three parts, for the hot calls, which the replay makes in place (no
     * {@link Runnable} per call): {@code before = begin()}, the call, {@code done(before)}, all
     * in one try whose catch of RuntimeException returns {@link #failed}.
     */
    long begin() {
        return reporting == null ? 0 : findingsBefore();
    }

    /** The call begun at finding count {@code before} returned normally. */
    void done(long before) {
        report.countReplayed();
        if (reporting != null) {
            long after = findingCount();
            lastFindings = after;
            if (after != before) {
                classifyFindings(before);
            }
        }
    }

    /** The call threw {@code e}: counted as {@link #call} counts it; false. */
    boolean failed(RuntimeException e) {
        if (e instanceof DmaUsageException) {
            report.countReplayed();
            report.countMisuse(MisuseKind.classify(e.getMessage()), e.getMessage());
        } else if (e instanceof IllegalArgumentException) {
            report.countBadInput(e.getMessage());
        } else {
            report.error(e.toString());
        }
        return false;
    }

    /**
     * The device's finding count before a call: the count read after its previous call, when
     * that call returned normally (the replay makes one call at a time and the device raises
     * findings only in its own calls), else read now. Reading the platform's counters takes a
     * snapshot of all of them, so this saves one snapshot per call.
     */
    private long findingsBefore() {
        long known = lastFindings;
        lastFindings = -1;
        return known >= 0 ? known : findingCount();
    }

    /** The API is called outside {@link #call}: the next call reads the finding count afresh. */
    void calledOutside() {
        lastFindings = -1;
    }

    private long findingCount() {
        try {
            return reporting.count(device.simName(), Stat.CHECKER_FINDINGS);
        } catch (RuntimeException e) {
            return 0;
        }
    }

    /**
     * The call was carried out but the checker reported it: its misuse is the first finding of a
     * misuse kind among the device's newest findings (the call's own: the replay makes one call
     * at a time).
     */
    private void classifyFindings(long before) {
        List<Finding> all = reporting.findings();
        long count = findingCount() - before;
        List<Finding> mine = new ArrayList<>();
        for (int i = all.size() - 1; i >= 0 && mine.size() < count; i--) {
            if (device.simName().equals(all.get(i).device())) {
                mine.add(0, all.get(i));
            }
        }
        for (Finding f : mine) {
            MisuseKind k = MisuseKind.of(f.kind());
            if (k != MisuseKind.OTHER) {
                report.countMisuse(k, f.message());
                return;
            }
        }
    }

    /** A direction for the API: the trace's, or NONE (which the API refuses) when it printed none. */
    static DmaDirection dir(DmaDirection d) {
        return d == null ? DmaDirection.NONE : d;
    }
}
