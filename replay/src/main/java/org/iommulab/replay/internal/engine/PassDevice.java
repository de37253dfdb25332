package org.iommulab.replay.internal.engine;

import org.iommulab.api.admin.DeviceStats;
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
     * returned normally; a {@link DmaUsageException} is misuse (classified), an
     * {@link IllegalArgumentException} bad input, anything else an error. In every refused case
     * the platform changed nothing.
     */
    boolean call(Runnable c) {
        try {
            c.run();
            report.countReplayed();
            return true;
        } catch (DmaUsageException e) {
            report.countReplayed();
            report.countMisuse(MisuseKind.classify(e.getMessage()), e.getMessage());
            return false;
        } catch (IllegalArgumentException e) {
            report.countBadInput(e.getMessage());
            return false;
        } catch (RuntimeException e) {
            report.error(e.toString());
            return false;
        }
    }

    /** A direction for the API: the trace's, or NONE (which the API refuses) when it printed none. */
    static DmaDirection dir(DmaDirection d) {
        return d == null ? DmaDirection.NONE : d;
    }
}
