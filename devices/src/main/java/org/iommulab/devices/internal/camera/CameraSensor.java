package org.iommulab.devices.internal.camera;

import org.iommulab.api.platform.BusMaster;
import org.iommulab.api.platform.DmaFaultException;

/**
 * A capture device whose DMA engine has one base-address register and one length: it writes a
 * frame as one contiguous run of bus addresses, line by line, which is why its driver needs
 * each buffer as a single DMA segment (videobuf2-dma-contig). The frames are a known test
 * pattern ({@link #pixel}), so the driver can check every byte it receives.
 *
 * <p>A capture is started with the bus master of the driver that programmed it, so its DMA
 * carries that driver's generation. The sensor keeps no state and takes no lock.
 */
public final class CameraSensor {
    /** Bytes per line the engine writes in one burst. */
    public static final int LINE = 1024;

    /** Byte {@code offset} of frame {@code frame} of the test pattern. */
    public static byte pixel(int frame, int offset) {
        int line = offset / LINE;
        return (byte) (offset * 7 + line * 13 + frame * 101 + (offset >>> 8));
    }

    /**
     * Captures frame {@code frame} of {@code length} bytes to {@code base} through {@code bus}.
     * Returns null when it arrived, else what stopped it (the lines before the fault were
     * written).
     */
    public String capture(BusMaster bus, long base, int length, int frame) {
        if (bus == null) {
            throw new IllegalArgumentException("a capture needs the bus master of the driver that starts it");
        }
        byte[] line = new byte[LINE];
        for (int at = 0; at < length; at += LINE) {
            int n = Math.min(LINE, length - at);
            for (int i = 0; i < n; i++) {
                line[i] = pixel(frame, at + i);
            }
            try {
                bus.write(base + at, line, 0, n);
            } catch (DmaFaultException e) {
                return "frame " + frame + " faulted at byte " + at + ": " + e.fault();
            }
        }
        return null;
    }
}
