package org.iommulab.devices.internal.testdev;

import org.iommulab.api.platform.BusMaster;
import org.iommulab.api.platform.DmaFault;
import org.iommulab.api.platform.DmaFaultException;

/**
 * A programmable DMA master for tests: on command it reads, writes or copies at bus addresses,
 * in bursts of up to {@value #BURST} bytes through a FIFO of the command's own, and returns what
 * happened. A denied access ends the command: the bursts before it have happened (as on
 * hardware) and the result carries the fault.
 *
 * <p>Each command comes with the bus master of the driver that programmed it
 * ({@code DmaApi.busMaster()}), so the device's DMA carries that driver's generation: a command
 * of a driver that was released since reaches no memory. The device keeps no state between
 * commands and takes no lock, so it never holds one across a bus access.
 */
public final class TestDevice {
    /** Bytes the engine moves per burst. */
    public static final int BURST = 4096;

    /** READ: {@code len} bytes at bus address {@code addr}; the data is in the result. */
    public Result read(BusMaster bus, long addr, int len) {
        checkBus(bus);
        checkLength(len);
        byte[] data = new byte[len];
        int done = 0;
        try {
            while (done < len) {
                int n = Math.min(BURST, len - done);
                bus.read(addr + done, data, done, n);
                done += n;
            }
            return new Result(done, null, data);
        } catch (DmaFaultException e) {
            return new Result(done, e.fault(), null);
        }
    }

    /** WRITE: {@code data[off..off+len)} to bus address {@code addr}. */
    public Result write(BusMaster bus, long addr, byte[] data, int off, int len) {
        checkBus(bus);
        checkLength(len);
        if (data == null || off < 0 || off + len > data.length) {
            throw new IllegalArgumentException("write command: data range " + off + "+" + len + " outside the given buffer");
        }
        int done = 0;
        try {
            while (done < len) {
                int n = Math.min(BURST, len - done);
                bus.write(addr + done, data, off + done, n);
                done += n;
            }
            return new Result(done, null, null);
        } catch (DmaFaultException e) {
            return new Result(done, e.fault(), null);
        }
    }

    /** COPY: {@code len} bytes from bus address {@code src} to bus address {@code dst}, burst by burst. */
    public Result copy(BusMaster bus, long src, long dst, long len) {
        checkBus(bus);
        if (len <= 0) {
            throw new IllegalArgumentException("copy command: length must be positive, got " + len);
        }
        byte[] fifo = new byte[(int) Math.min(BURST, len)];
        long done = 0;
        try {
            while (done < len) {
                int n = (int) Math.min(BURST, len - done);
                bus.read(src + done, fifo, 0, n);
                bus.write(dst + done, fifo, 0, n);
                done += n;
            }
            return new Result(done, null, null);
        } catch (DmaFaultException e) {
            return new Result(done, e.fault(), null);
        }
    }

    private static void checkBus(BusMaster bus) {
        if (bus == null) {
            throw new IllegalArgumentException("a command needs the bus master of the driver that gives it");
        }
    }

    private static void checkLength(int len) {
        if (len <= 0) {
            throw new IllegalArgumentException("command length must be positive, got " + len);
        }
    }

    /**
     * What a command did: the bytes it moved (all of them unless it faulted), the fault or null,
     * and for READ the data.
     */
    public record Result(long bytesDone, DmaFault fault, byte[] data) {
        public boolean ok() {
            return fault == null;
        }
    }
}
