package org.iommulab.app.internal.workload;

import org.iommulab.api.platform.BusMaster;

/**
 * A simulated DMA copy engine: the device reads a source at bus addresses and writes a
 * destination at bus addresses through its {@link BusMaster}, one burst of up to 4 KiB at a
 * time through its own FIFO, as a memcpy DMA engine does. It reaches memory only through the
 * bus master, so every byte it moves is translated by the backend the device is bound to.
 */
final class CopyEngine {
    static final int BURST = 4096;
    private final byte[] fifo = new byte[BURST];

    /** Copies {@code len} bytes from bus address {@code src} to bus address {@code dst}. */
    void copy(BusMaster bus, long src, long dst, long len) {
        long done = 0;
        while (done < len) {
            int n = (int) Math.min(BURST, len - done);
            bus.read(src + done, fifo, 0, n);
            bus.write(dst + done, fifo, 0, n);
            done += n;
        }
    }
}
