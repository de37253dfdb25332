package org.iommulab.platform.internal.bus;

import org.iommulab.api.admin.Stat;
import org.iommulab.api.platform.AccessType;
import org.iommulab.api.platform.BusMaster;
import org.iommulab.api.platform.DmaFaultException;
import org.iommulab.api.platform.PhysicalMemory;

/**
 * A device's own accesses at bus addresses. Each access is cut at the boundaries of the
 * translation blocks of the backend bound now ({@code 1 << pageShift} bytes), each piece is
 * translated by the backend's {@link org.iommulab.api.backend.TranslationPort} (which checks
 * the permission and reports any fault) and then performed on physical memory, as a bus
 * transaction per block would be. A piece that faults stops the access; the pieces before it
 * have happened, as on hardware. Bulk accesses translate their pieces a run of blocks per call
 * ({@link org.iommulab.api.backend.TranslationPort#translateRun}: one lock and one stream
 * lookup in a model that overrides it), and a bulk read copies each run of pieces that land
 * physically contiguous with one memory read ({@link #readRuns}).
 *
 * <p>Every access first passes the device's {@link BusGate} with the generation of the driver
 * whose bus master this is (none for the device's own): one from a released driver is refused
 * there, before any translation, and reaches no memory (DMA after driver release); the
 * device's own accesses are refused as blocked while its binding changes. No access ever waits.
 * Allocates nothing unless it faults.
 */
public final class DeviceBusMaster implements BusMaster {
    /** What {@link #transfer} does with each piece of a bulk write or fill (reads: {@link #readRuns}). */
    private static final int BULK_WRITE = 1;
    private static final int BULK_FILL = 2;
    /** The most blocks one translation run asks for: 256 KiB of 4 KiB pages. */
    static final int RUN_BLOCKS = 64;
    /**
     * Each thread's frames for {@link #translateRun}: a bus master is shared by the threads of
     * its device, and an access must not allocate. 512 bytes per thread that ever did a bulk access.
     */
    private static final ThreadLocal<long[]> FRAMES = ThreadLocal.withInitial(() -> new long[RUN_BLOCKS]);

    private final DeviceBus bus;
    /** The stream chosen with {@link #withStream}, or -1 for the device's primary one. */
    private final int chosenStream;
    /** The driver this bus master was handed to, or null for the device's own. */
    private final DeviceBus.Generation driver;
    /** {@code driver}'s generation number, or {@link BusGate#DEVICE_GENERATION}. */
    private final long generation;

    DeviceBusMaster(DeviceBus bus, int chosenStream, DeviceBus.Generation driver) {
        this.bus = bus;
        this.chosenStream = chosenStream;
        this.driver = driver;
        this.generation = driver == null ? BusGate.DEVICE_GENERATION : driver.number;
    }

    /** The driver generation whose accesses these are, or null for the device's own bus master. */
    public DeviceBus.Generation driver() {
        return driver;
    }

    @Override
    public String deviceName() {
        return bus.device().name();
    }

    @Override
    public int streamId() {
        return chosenStream >= 0 ? chosenStream : bus.device().descriptor().primaryStreamId();
    }

    @Override
    public BusMaster withStream(int streamId) {
        for (int sid : bus.device().descriptor().streamIds()) {
            if (sid == streamId) {
                return new DeviceBusMaster(bus, streamId, driver);
            }
        }
        throw new IllegalArgumentException("device " + deviceName() + " does not own stream ID " + streamId);
    }

    // ---- single accesses ------------------------------------------------------------------------

    @Override
    public byte readByte(long addr) {
        enter(addr, 1, AccessType.READ);
        try {
            BusRoute r = route(addr, AccessType.READ);
            long phys = translate(r, addr, 1, AccessType.READ);
            byte v = bus.memory().readByte(phys);
            r.stats.add(Stat.DEVICE_READ_BYTES, 1);
            return v;
        } finally {
            bus.gate().exit();
        }
    }

    @Override
    public void writeByte(long addr, byte value) {
        enter(addr, 1, AccessType.WRITE);
        try {
            BusRoute r = route(addr, AccessType.WRITE);
            long phys = translate(r, addr, 1, AccessType.WRITE);
            bus.memory().writeByte(phys, value);
            r.stats.add(Stat.DEVICE_WRITE_BYTES, 1);
        } finally {
            bus.gate().exit();
        }
    }

    @Override
    public int readInt(long addr) {
        return (int) readWord(addr, 4);
    }

    @Override
    public void writeInt(long addr, int value) {
        writeWord(addr, value, 4);
    }

    @Override
    public long readLong(long addr) {
        return readWord(addr, 8);
    }

    @Override
    public void writeLong(long addr, long value) {
        writeWord(addr, value, 8);
    }

    /** A little-endian word; one translation when it lies in one block, else one per byte. */
    private long readWord(long addr, int size) {
        checkRange(addr, size);
        enter(addr, size, AccessType.READ);
        try {
            BusRoute r = route(addr, AccessType.READ);
            PhysicalMemory mem = bus.memory();
            long v;
            if (inOneBlock(r, addr, size)) {
                long phys = translate(r, addr, size, AccessType.READ);
                v = size == 4 ? mem.readInt(phys) & 0xffff_ffffL : mem.readLong(phys);
                r.stats.add(Stat.DEVICE_READ_BYTES, size);
            } else {
                v = 0;
                int done = 0;
                try {
                    for (int i = 0; i < size; i++) {
                        v |= (mem.readByte(translate(r, addr + i, 1, AccessType.READ)) & 0xffL) << (8 * i);
                        done++;
                    }
                } finally {
                    r.stats.add(Stat.DEVICE_READ_BYTES, done);
                }
            }
            return v;
        } finally {
            bus.gate().exit();
        }
    }

    private void writeWord(long addr, long value, int size) {
        checkRange(addr, size);
        enter(addr, size, AccessType.WRITE);
        try {
            BusRoute r = route(addr, AccessType.WRITE);
            PhysicalMemory mem = bus.memory();
            if (inOneBlock(r, addr, size)) {
                long phys = translate(r, addr, size, AccessType.WRITE);
                if (size == 4) {
                    mem.writeInt(phys, (int) value);
                } else {
                    mem.writeLong(phys, value);
                }
                r.stats.add(Stat.DEVICE_WRITE_BYTES, size);
            } else {
                int done = 0;
                try {
                    for (int i = 0; i < size; i++) {
                        mem.writeByte(translate(r, addr + i, 1, AccessType.WRITE), (byte) (value >>> (8 * i)));
                        done++;
                    }
                } finally {
                    r.stats.add(Stat.DEVICE_WRITE_BYTES, done);
                }
            }
        } finally {
            bus.gate().exit();
        }
    }

    // ---- bulk accesses --------------------------------------------------------------------------

    @Override
    public void read(long addr, byte[] dst, int off, int len) {
        checkArray(dst, off, len);
        if (len == 0) {
            return;
        }
        checkRange(addr, len);
        readRuns(addr, dst, off, len);
    }

    @Override
    public void write(long addr, byte[] src, int off, int len) {
        checkArray(src, off, len);
        if (len == 0) {
            return;
        }
        checkRange(addr, len);
        transfer(BULK_WRITE, addr, src, off, len, (byte) 0);
    }

    @Override
    public void fill(long addr, long len, byte value) {
        if (len < 0) {
            throw new IllegalArgumentException("fill length must not be negative, got " + len);
        }
        if (len == 0) {
            return;
        }
        checkRange(addr, len);
        transfer(BULK_FILL, addr, null, 0, len, value);
    }

    /**
     * The loop of the bulk writes and fills: cuts {@code [addr, addr + len)} at the route's block
     * boundaries, translates the pieces a run at a time ({@link #translateRun}) and does
     * {@code op} on each in order. The bytes done are counted even when a piece faults: the
     * pieces before it have happened. {@code op} is an int and not a callback so that an access
     * allocates nothing. A run's later blocks are translated before the run's first pieces are
     * written; this is the same as block by block because a port translates those blocks
     * only from what it holds apart from memory (its contract: it stops where it would walk),
     * which a device's write does not change, and faults only at a run's block 0.
     *
     * @param buf the array written from ({@link #BULK_WRITE})
     * @param off where the access starts in {@code buf}
     * @param value the byte {@link #BULK_FILL} writes
     */
    private void transfer(int op, long addr, byte[] buf, int off, long len, byte value) {
        AccessType access = AccessType.WRITE;
        enter(addr, len, access);
        try {
            BusRoute r = route(addr, access);
            PhysicalMemory mem = bus.memory();
            int sid = streamId();
            long[] frames = FRAMES.get();
            long done = 0;
            try {
                while (done < len) {
                    int blocks = translateRun(r, sid, addr + done, len - done, access, frames);
                    for (int i = 0; i < blocks; i++) {
                        long a = addr + done;
                        int n = (int) Math.min(len - done, toBlockEnd(r, a));
                        long phys = frames[i];
                        if (!mem.isRam(phys, n)) {
                            throw bus.notRam(r, sid, a, phys, n, access);
                        }
                        if (op == BULK_WRITE) {
                            mem.write(phys, buf, off + (int) done, n);
                        } else {
                            mem.fill(phys, n, value);
                        }
                        done += n;
                    }
                }
            } finally {
                r.stats.add(Stat.DEVICE_WRITE_BYTES, done);
            }
        } finally {
            bus.gate().exit();
        }
    }

    /**
     * The bulk read: the same pieces as {@link #transfer}, translated a run at a time
     * ({@link #translateRun}), in order, but the bytes of pieces that land physically
     * contiguous are copied by one {@link PhysicalMemory#read} when the run ends
     * ({@link #copyRun}): a 64 KiB read of a contiguous buffer through a warm IOTLB is one
     * translation call and one copy, not 16 of each. Each piece must be RAM, as
     * {@link #translate} checks; the check is made once per run, and piece by piece only when
     * the run as a whole fails it, at the latest before the next translation call, so a piece
     * that is not RAM faults before any later translation can fault. When a piece faults, the
     * pieces before it are copied first, so they have happened, as in {@link #transfer}. Reads
     * change no memory, so a later piece's translation sees the same tables and queues
     * whichever way the earlier bytes were copied (PCIe reads of one request complete in no
     * defined order either).
     */
    private void readRuns(long addr, byte[] dst, int off, int len) {
        enter(addr, len, AccessType.READ);
        try {
            BusRoute r = route(addr, AccessType.READ);
            PhysicalMemory mem = bus.memory();
            int sid = streamId();
            long[] frames = FRAMES.get();
            // Bytes copied into dst so far, and the run translated after them and not yet copied.
            int done = 0;
            long runPhys = 0;
            int runLen = 0;
            try {
                int pos = 0;
                while (pos < len) {
                    int blocks = translateRun(r, sid, addr + pos, len - pos, AccessType.READ, frames);
                    for (int i = 0; i < blocks; i++) {
                        int n = (int) Math.min(len - pos, toBlockEnd(r, addr + pos));
                        long phys = frames[i];
                        if (runLen > 0 && phys == runPhys + runLen) {
                            runLen += n;
                        } else {
                            if (runLen > 0) {
                                int copied = copyRun(r, mem, addr + done, runPhys, runLen, dst, off + done);
                                done += copied;
                                int missed = runLen - copied;
                                runLen = 0;
                                if (missed > 0) {
                                    throw notRamAt(r, sid, addr, len, done, runPhys + copied);
                                }
                            }
                            runPhys = phys;
                            runLen = n;
                        }
                        pos += n;
                    }
                    if (pos < len && runLen > 0 && !mem.isRam(runPhys, runLen)) {
                        // Settle it piece by piece before translating more.
                        int copied = copyRun(r, mem, addr + done, runPhys, runLen, dst, off + done);
                        done += copied;
                        int missed = runLen - copied;
                        runLen = 0;
                        if (missed > 0) {
                            throw notRamAt(r, sid, addr, len, done, runPhys + copied);
                        }
                    }
                }
                if (runLen > 0) {
                    int copied = copyRun(r, mem, addr + done, runPhys, runLen, dst, off + done);
                    done += copied;
                    int missed = runLen - copied;
                    runLen = 0;
                    if (missed > 0) {
                        throw notRamAt(r, sid, addr, len, done, runPhys + copied);
                    }
                }
            } finally {
                // A translation fault: the run before it (checked RAM before the call that
                // faulted) is copied, so the pieces before the fault have happened.
                if (runLen > 0) {
                    done += copyRun(r, mem, addr + done, runPhys, runLen, dst, off + done);
                }
                r.stats.add(Stat.DEVICE_READ_BYTES, done);
            }
        } finally {
            bus.gate().exit();
        }
    }

    /**
     * Copies the physically contiguous run {@code [phys, phys + len)}, which the device reads
     * at {@code busAddr}, into {@code dst} at {@code at}; returns the bytes copied: {@code len},
     * or fewer when a piece of the run is not RAM (then the pieces before it are copied and the
     * caller faults that piece). One copy when the run lies in one RAM region; otherwise the
     * run is cut into pieces, and the pieces that stay contiguous within one region copied
     * together (the default layout's RAM regions touch at 4 GiB: both sides are RAM).
     */
    private static int copyRun(BusRoute r, PhysicalMemory mem, long busAddr, long phys, int len, byte[] dst, int at) {
        if (mem.isRam(phys, len)) {
            mem.read(phys, dst, at, len);
            return len;
        }
        int subStart = 0;
        int subLen = 0;
        int p = 0;
        while (p < len) {
            int n = (int) Math.min(len - p, toBlockEnd(r, busAddr + p));
            if (subLen > 0 && mem.isRam(phys + subStart, (long) subLen + n)) {
                subLen += n;
            } else {
                if (subLen > 0) {
                    mem.read(phys + subStart, dst, at + subStart, subLen);
                }
                if (!mem.isRam(phys + p, n)) {
                    return p;
                }
                subStart = p;
                subLen = n;
            }
            p += n;
        }
        mem.read(phys + subStart, dst, at + subStart, subLen);
        return len;
    }

    /** The fault of the read's piece at {@code done} bytes, which lands at {@code phys} and is not RAM. */
    private DmaFaultException notRamAt(BusRoute r, int sid, long addr, int len, int done, long phys) {
        long a = addr + done;
        int n = (int) Math.min(len - done, toBlockEnd(r, a));
        return bus.notRam(r, sid, a, phys, n, AccessType.READ);
    }

    /**
     * Translates the blocks that {@code [addr, addr + len)} touches, up to {@link #RUN_BLOCKS}
     * of them, with one {@link org.iommulab.api.backend.TranslationPort#translateRun} call;
     * returns how many it translated into {@code frames} (at least 1; it throws a fault of
     * block 0). Blocks above 2^30 bytes are cut into 2^30-byte pieces ({@link #toBlockEnd}),
     * so there each call translates one piece. The one way this differs from block by block:
     * when a translated piece is not RAM (an external abort, raised at that piece as before),
     * the blocks after it in the same call have been translated though never accessed, so a
     * port's hit counts can show them; no fault, event or byte differs.
     */
    private static int translateRun(BusRoute r, int sid, long addr, long len, AccessType access, long[] frames) {
        int want = 1;
        if (r.pageShift <= 30) {
            long last = addr + len - 1; // no wrap: checkRange
            long span = (last >>> r.pageShift) - (addr >>> r.pageShift) + 1;
            want = (int) Math.min(span, RUN_BLOCKS);
        }
        int got = r.port.translateRun(sid, addr, access, frames, want);
        if (got < 1 || got > want) {
            throw new IllegalStateException("backend " + r.backend + " translated " + got + " of a run of " + want
                    + " blocks: outside 1.." + want);
        }
        return got;
    }

    // ---- internals ------------------------------------------------------------------------------

    /** Passes the gate or throws the access's fault; after it returns the caller must exit the gate. */
    private void enter(long addr, long len, AccessType access) {
        int r = bus.gate().enter(generation);
        if (r != BusGate.PASS) {
            throw r == BusGate.STALE ? bus.afterRelease(driver, streamId(), addr, len, access)
                    : bus.blocked(streamId(), addr, access);
        }
        bus.charge(len);
    }

    /** The route now; faults the access when the device is bound to nothing. */
    private BusRoute route(long addr, AccessType access) {
        BusRoute r = bus.route();
        if (r == null) {
            throw bus.unbound(streamId(), addr, access);
        }
        return r;
    }

    /** Translates one piece that lies inside one block; the piece must end in RAM. */
    private long translate(BusRoute r, long addr, int len, AccessType access) {
        return translate(r, streamId(), addr, len, access);
    }

    private long translate(BusRoute r, int sid, long addr, int len, AccessType access) {
        long phys = r.port.translate(sid, addr, access);
        if (!bus.memory().isRam(phys, len)) {
            throw bus.notRam(r, sid, addr, phys, len, access);
        }
        return phys;
    }

    /** Bytes from {@code addr} to the end of its translation block, at most 2^30 (an int chunk). */
    private static long toBlockEnd(BusRoute r, long addr) {
        long block = 1L << r.pageShift;
        return Math.min(block - (addr & (block - 1)), 1L << 30);
    }

    private static boolean inOneBlock(BusRoute r, long addr, int size) {
        return toBlockEnd(r, addr) >= size;
    }

    private static void checkRange(long addr, long len) {
        if (Long.compareUnsigned(addr + len - 1, addr) < 0) {
            throw new IllegalArgumentException(String.format("bus range 0x%x+0x%x wraps around the 64-bit bus space", addr, len));
        }
    }

    private static void checkArray(byte[] a, int off, int len) {
        if (a == null) {
            throw new IllegalArgumentException("buffer must not be null");
        }
        if (off < 0 || len < 0 || off > a.length - len) {
            throw new IndexOutOfBoundsException("range [" + off + ", " + off + "+" + len + ") outside array of " + a.length);
        }
    }

    @Override
    public String toString() {
        return "BusMaster[" + deviceName() + " sid " + streamId() + (driver == null ? "" : ", driver " + driver) + "]";
    }
}
