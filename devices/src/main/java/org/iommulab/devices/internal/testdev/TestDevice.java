package org.iommulab.devices.internal.testdev;

import org.iommulab.api.platform.BusMaster;
import org.iommulab.api.platform.DmaFault;
import org.iommulab.api.platform.DmaFaultException;

/**
 * A programmable DMA master for tests: on command it reads, writes or copies at bus addresses
 * through its {@link BusMaster}, in bursts of up to {@value #BURST} bytes through its own FIFO,
 * and returns what happened. A denied access ends the command: the bursts before it have
 * happened (as on hardware) and the result carries the fault.
 */
public final class TestDevice {
    /** Bytes the engine moves per burst. */
    public static final int BURST = 4096;

    private final BusMaster bus;
    private final byte[] fifo = new byte[BURST];

    public TestDevice(BusMaster bus) {
        if (bus == null) {
            throw new IllegalArgumentException("a test device needs its bus master");
        }
        this.bus = bus;
    }

    /** READ: {@code len} bytes at bus address {@code addr}; the data is in the result. */
    public synchronized Result read(long addr, int len) {
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
    public synchronized Result write(long addr, byte[] data, int off, int len) {
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
    public synchronized Result copy(long src, long dst, long len) {
        if (len <= 0) {
            throw new IllegalArgumentException("copy command: length must be positive, got " + len);
        }
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
