package org.iommulab.replay.internal.engine;

import org.iommulab.api.admin.DeviceStats;
import org.iommulab.api.dma.DmaApi;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.dma.DmaUsageException;
import org.iommulab.replay.internal.device.ReplayDevice;

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

    PassDevice(ReplayDevice device, DmaApi api, DeviceReport report, DeviceStats start) {
        this.device = device;
        this.api = api;
        this.report = report;
        this.start = start;
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
            report.countMisuse(MisuseKind.classify(e.getMessage()));
            return false;
        } catch (IllegalArgumentException e) {
            report.countBadInput();
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
