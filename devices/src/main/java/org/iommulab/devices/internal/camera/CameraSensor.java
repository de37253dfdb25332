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

    /** Byte {@code offset} of frame {@code frame} of the test pattern: its definition. */
    public static byte pixel(int frame, int offset) {
        int line = offset / LINE;
        return (byte) (offset * 7 + line * 13 + frame * 101 + (offset >>> 8));
    }

    /**
     * The ramp {@code 7j} mod 256 for j = 0..511, so that any 256 consecutive bytes of it can be
     * copied at once. For offset {@code o = 256q + r}, {@link #pixel} is
     * {@code 7r + 1792q + 13(q >> 2) + 101 frame + q}, and 1792q = 7 * 256q vanishes mod 256
     * (line = o / 1024 = q >> 2): {@code 7r + c} with {@code c = q + 13(q >> 2) + 101 frame}.
     * As 7 * 183 = 1281 = 1 (mod 256), {@code 7r + c = 7(r + 183c)}: byte {@code r} of block
     * {@code q} is {@code RAMP[(183c mod 256) + r]}. So a frame is copied from here at memory
     * speed, 256-byte block by block, not made byte by byte; and the table is 512 bytes, built
     * in 512 steps when the class loads (a table of every shift, 64 KiB, took some 14 ms of a
     * main-job run to build in the interpreter).
     */
    private static final byte[] RAMP = new byte[512];
    /** The inverse of 7 mod 256. */
    private static final int INV7 = 183;

    static {
        for (int j = 0; j < RAMP.length; j++) {
            RAMP[j] = (byte) (7 * j);
        }
    }

    /**
     * Writes bytes {@code offset .. offset + n - 1} of frame {@code frame} of the test pattern
     * to {@code dst} from {@code dstOffset}: the same bytes as {@link #pixel}, a block at a time.
     */
    public static void pixels(int frame, int offset, byte[] dst, int dstOffset, int n) {
        if (offset < 0 || n < 0 || dstOffset < 0 || dstOffset > dst.length - n) {
            throw new IllegalArgumentException("pixels " + offset + "+" + n + " into " + dst.length + " bytes at " + dstOffset);
        }
        int at = offset;
        int to = dstOffset;
        int left = n;
        while (left > 0) {
            int q = at >>> 8;
            int r = at & 0xff;
            int len = Math.min(256 - r, left);
            int c = q + 13 * (q >> 2) + 101 * frame;
            System.arraycopy(RAMP, ((INV7 * c) & 0xff) + r, dst, to, len);
            at += len;
            to += len;
            left -= len;
        }
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
            pixels(frame, at, line, 0, n);
            try {
                bus.write(base + at, line, 0, n);
            } catch (DmaFaultException e) {
                return "frame " + frame + " faulted at byte " + at + ": " + e.fault();
            }
        }
        return null;
    }
}
