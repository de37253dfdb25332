package org.iommulab.platform.internal.bus;

import static org.iommulab.platform.internal.testing.TestPlatforms.platform;
import static org.iommulab.platform.internal.testing.TestPlatforms.props;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.iommulab.api.admin.Stat;
import org.iommulab.api.backend.DeviceBinding;
import org.iommulab.api.backend.DmaDevice;
import org.iommulab.api.backend.TranslationPort;
import org.iommulab.api.platform.AccessType;
import org.iommulab.api.platform.BusMaster;
import org.iommulab.api.platform.DeviceDescriptor;
import org.iommulab.api.platform.DmaFault;
import org.iommulab.api.platform.DmaFaultException;
import org.iommulab.api.platform.FaultKind;
import org.iommulab.api.platform.PageAllocator;
import org.iommulab.api.platform.Zone;
import org.iommulab.platform.internal.core.DevicePlatform;
import org.iommulab.testkit.FakeDrivers;
import org.iommulab.testkit.IdentityBackend;
import org.junit.jupiter.api.Test;

/**
 * Bulk accesses through a port that translates runs ({@link TranslationPort#translateRun}):
 * the bytes read and written, the faults and the counters are those of the same accesses
 * through the same port translating block by block (the interface's default).
 */
class TranslationRunBusTest {
    private static final int PAGE = (int) PageAllocator.PAGE_SIZE;
    private static final long BUS = 0x40_0000L;
    private static final int PAGES = 12;
    /** Bus page 4 is unmapped; bus page 8 is read-only. */
    private static final int HOLE = 4;
    private static final int READ_ONLY = 8;

    /** Maps bus page i to phys[i]; translates up to 3 blocks a run, stopping before a denied one. */
    static final class RunBackend extends IdentityBackend {
        final boolean runs;
        final long[] phys = new long[PAGES];
        final List<String> translations = new ArrayList<>();

        RunBackend(boolean runs) {
            super("runs"); // one name: the faults the platform makes carry it
            this.runs = runs;
        }

        @Override
        public DeviceBinding attach(DmaDevice device) {
            return new Binding(device) {
                @Override
                public long translate(int streamId, long busAddr, AccessType access) {
                    translations.add(Long.toHexString(busAddr));
                    int page = (int) ((busAddr - BUS) >>> 12);
                    if (denied(page, access)) {
                        DmaFault f = DmaFault.builder(page == HOLE ? FaultKind.TRANSLATION : FaultKind.PERMISSION)
                                .device(device.name(), streamId).address(busAddr, access).backend("runs").build();
                        device.reportFault(f);
                        throw new DmaFaultException(f);
                    }
                    return phys[page] + (busAddr & 0xfff);
                }

                @Override
                public int translateRun(int streamId, long busAddr, AccessType access, long[] frames, int count) {
                    if (!runs) {
                        return super.translateRun(streamId, busAddr, access, frames, count);
                    }
                    TranslationPort.checkRun(frames, count);
                    frames[0] = translate(streamId, busAddr, access);
                    int n = 1;
                    long block = busAddr & ~0xfffL;
                    while (n < Math.min(count, 3)) {
                        long a = block + ((long) n << 12);
                        if (denied((int) ((a - BUS) >>> 12), access)) {
                            break; // left for the next call's block 0
                        }
                        frames[n++] = translate(streamId, a, access);
                    }
                    return n;
                }
            };
        }

        static boolean denied(int page, AccessType access) {
            return page == HOLE || page == READ_ONLY && access == AccessType.WRITE;
        }
    }

    /** One platform with the backend, its device, and the pages: 0..2 contiguous, the rest scattered. */
    private static final class Rig {
        final DevicePlatform platform = platform(new FakeDrivers());
        final RunBackend backend;
        final BusMaster bus;

        Rig(boolean runs) {
            backend = new RunBackend(runs);
            platform.addBackend(backend, props(backend, 0));
            platform.addDevice(DeviceDescriptor.builder("dev0").streamIds(5).dmaMask(~0L).build());
            bus = platform.busMaster("dev0");
            long three = platform.allocator().allocPages(4, Zone.NORMAL);
            for (int i = 0; i < PAGES; i++) {
                backend.phys[i] = i < 3 ? three + (long) i * PAGE : platform.allocator().allocPages(1, Zone.NORMAL);
                platform.memory().fill(backend.phys[i], PAGE, (byte) (0x10 + i));
            }
        }
    }

    private static String attempt(Runnable access) {
        try {
            access.run();
            return "ok";
        } catch (DmaFaultException e) {
            return e.fault().toString();
        }
    }

    @Test
    void readsThroughRunsEqualReadsPageByPage() {
        Rig pages = new Rig(false);
        Rig runs = new Rig(true);
        // Four reads: all before the hole, one across it (fault part-way), all after it, one
        // across the read-only page (which a read passes).
        long[][] reads = {{BUS + 10, 3 * PAGE + 100}, {BUS + 100, 6 * PAGE}, {BUS + 5 * PAGE, 7 * PAGE}, {BUS + 7 * PAGE + 1, 2 * PAGE}};
        for (long[] r : reads) {
            byte[] a = new byte[(int) r[1]];
            byte[] b = new byte[(int) r[1]];
            String fa = attempt(() -> pages.bus.read(r[0], a, 0, a.length));
            String fb = attempt(() -> runs.bus.read(r[0], b, 0, b.length));
            assertEquals(fa, fb);
            assertArrayEquals(a, b);
        }
        assertEquals(pages.backend.translations, runs.backend.translations, "the same blocks, in the same order");
        assertEquals(pages.platform.faults().toString(), runs.platform.faults().toString());
        assertEquals(pages.platform.stats("dev0").get(Stat.DEVICE_READ_BYTES), runs.platform.stats("dev0").get(Stat.DEVICE_READ_BYTES));
        // By the layout: the read across the hole faults at the hole's first byte, after the
        // bytes of pages 0..3 from BUS + 100 were read, each page holding its own fill.
        assertEquals(1, runs.platform.faults().size());
        assertEquals(BUS + HOLE * PAGE, runs.platform.faults().get(0).address());
        long read = (3 * PAGE + 100) + (HOLE * PAGE - 100) + 7 * PAGE + 2 * PAGE;
        assertEquals(read, runs.platform.stats("dev0").get(Stat.DEVICE_READ_BYTES));
    }

    /**
     * Pieces that are not RAM, and runs that cross RAM regions: bus page 6 lands at 0x10000,
     * below the default layout's RAM (it starts at 1 GiB), and bus pages 9..11 land on
     * 0xFFFF_F000, 0x1_0000_0000 and 0x1_0000_1000: contiguous, across the touching regions
     * [1 GiB, 4 GiB) and [4 GiB, 8 GiB), each page RAM.
     */
    @Test
    void readsOfPiecesNotInRamAndAcrossRegionsEqualPageByPage() {
        Rig pages = new Rig(false);
        Rig runs = new Rig(true);
        for (Rig rig : new Rig[] {pages, runs}) {
            rig.backend.phys[6] = 0x1_0000L;
            rig.backend.phys[9] = 0xFFFF_F000L;
            rig.backend.phys[10] = 0x1_0000_0000L;
            rig.backend.phys[11] = 0x1_0000_1000L;
            for (int i = 9; i < 12; i++) {
                rig.platform.memory().fill(rig.backend.phys[i], PAGE, (byte) (0x10 + i));
            }
        }
        long[][] reads = {{BUS + 5 * PAGE + 7, 3 * PAGE - 7}, {BUS + 9 * PAGE + 1, 3 * PAGE - 2}, {BUS + 7 * PAGE, 5 * PAGE}};
        for (long[] r : reads) {
            byte[] a = new byte[(int) r[1]];
            byte[] b = new byte[(int) r[1]];
            assertEquals(attempt(() -> pages.bus.read(r[0], a, 0, a.length)), attempt(() -> runs.bus.read(r[0], b, 0, b.length)));
            assertArrayEquals(a, b);
        }
        assertEquals(pages.platform.faults().toString(), runs.platform.faults().toString());
        assertEquals(pages.platform.stats("dev0").get(Stat.DEVICE_READ_BYTES), runs.platform.stats("dev0").get(Stat.DEVICE_READ_BYTES));
        // By the layout: the first read faults at page 6 (EXTERNAL_ABORT, not RAM) after page 5's
        // PAGE - 7 bytes; the other two read every byte, page 9's fill up to 4 GiB and page 10's after.
        assertEquals(1, runs.platform.faults().size());
        assertEquals(FaultKind.EXTERNAL_ABORT, runs.platform.faults().get(0).kind());
        assertEquals(BUS + 6 * PAGE, runs.platform.faults().get(0).address());
        assertEquals((PAGE - 7) + (3 * PAGE - 2) + 5 * PAGE, runs.platform.stats("dev0").get(Stat.DEVICE_READ_BYTES));
        // The one difference: the run asked for 5, 6 and 7 together, so block 7 was translated
        // though the access stopped at 6 (a port's counters can show it; no fault, no byte).
        List<String> expected = new ArrayList<>(pages.backend.translations);
        expected.add(2, Long.toHexString(BUS + 7 * PAGE));
        assertEquals(expected, runs.backend.translations);
    }

    @Test
    void writesAndFillsThroughRunsEqualPageByPageWithAPermissionFault() {
        Rig pages = new Rig(false);
        Rig runs = new Rig(true);
        byte[] data = new byte[PAGES * PAGE];
        new Random(3).nextBytes(data);
        // Pages 5..11 from 5: the read-only page 8 faults part-way; then 0..3, then a fill of 9..11.
        assertEquals(attempt(() -> pages.bus.write(BUS + 5 * PAGE + 3, data, 0, 7 * PAGE - 3)),
                attempt(() -> runs.bus.write(BUS + 5 * PAGE + 3, data, 0, 7 * PAGE - 3)));
        assertEquals(attempt(() -> pages.bus.write(BUS, data, 7, 4 * PAGE)), attempt(() -> runs.bus.write(BUS, data, 7, 4 * PAGE)));
        assertEquals(attempt(() -> pages.bus.fill(BUS + 9 * PAGE, 3 * PAGE, (byte) 0x77)),
                attempt(() -> runs.bus.fill(BUS + 9 * PAGE, 3 * PAGE, (byte) 0x77)));
        for (int i = 0; i < PAGES; i++) {
            byte[] a = new byte[PAGE];
            byte[] b = new byte[PAGE];
            pages.platform.memory().read(pages.backend.phys[i], a, 0, PAGE);
            runs.platform.memory().read(runs.backend.phys[i], b, 0, PAGE);
            assertArrayEquals(a, b, "page " + i);
        }
        assertEquals(pages.backend.translations, runs.backend.translations);
        assertEquals(pages.platform.faults().toString(), runs.platform.faults().toString());
        long written = runs.platform.stats("dev0").get(Stat.DEVICE_WRITE_BYTES);
        assertEquals(pages.platform.stats("dev0").get(Stat.DEVICE_WRITE_BYTES), written);
        // By the layout: the first write stops at page 8's first byte (pages 5..7 written from
        // offset 3), then 4 pages and the 3-page fill.
        assertEquals(FaultKind.PERMISSION, runs.platform.faults().get(0).kind());
        assertEquals(BUS + READ_ONLY * PAGE, runs.platform.faults().get(0).address());
        assertEquals((3 * PAGE - 3) + 4 * PAGE + 3 * PAGE, written);
    }

    @Test
    void aBackendReturningMoreThanItWasAskedForIsRefused() {
        DevicePlatform p = platform(new FakeDrivers());
        IdentityBackend liar = new IdentityBackend("liar") {
            @Override
            public DeviceBinding attach(DmaDevice device) {
                return new Binding(device) {
                    @Override
                    public int translateRun(int streamId, long busAddr, AccessType access, long[] frames, int count) {
                        return count + 1;
                    }
                };
            }
        };
        p.addBackend(liar, props(liar, 0));
        p.addDevice(DeviceDescriptor.builder("dev1").streamIds(6).dmaMask(~0L).build());
        long page = p.allocator().allocPages(1, Zone.NORMAL);
        assertThrows(IllegalStateException.class, () -> p.busMaster("dev1").read(page, new byte[8], 0, 8));
    }

    /**
     * A bulk read and write through a run-translating port allocate nothing once warm (the
     * frames are per thread): the JVM's per-thread allocation counter over many accesses, as
     * CheckerAllocationTest counts; not a timing assertion.
     */
    @Test
    void bulkAccessesThroughRunsAllocateNothing() {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        assertTrue(threads.isThreadAllocatedMemorySupported(), "this JVM counts allocations per thread");
        threads.setThreadAllocatedMemoryEnabled(true);
        DevicePlatform p = platform(new FakeDrivers());
        IdentityBackend identity = new IdentityBackend("identity-runs") {
            @Override
            public DeviceBinding attach(DmaDevice device) {
                return new Binding(device) {
                    @Override
                    public int translateRun(int streamId, long busAddr, AccessType access, long[] frames, int count) {
                        TranslationPort.checkRun(frames, count);
                        frames[0] = busAddr;
                        for (int i = 1; i < count; i++) {
                            frames[i] = (busAddr & ~0xfffL) + ((long) i << 12);
                        }
                        return count;
                    }
                };
            }
        };
        p.addBackend(identity, props(identity, 0));
        p.addDevice(DeviceDescriptor.builder("dev2").streamIds(7).dmaMask(~0L).build());
        BusMaster bus = p.busMaster("dev2");
        long buf = p.allocator().allocPages(16, Zone.NORMAL);
        byte[] data = new byte[16 * PAGE];
        long sink = 0;
        for (int i = 0; i < 20_000; i++) {
            sink += copy(bus, buf, data);
        }
        long id = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(id);
        for (int i = 0; i < 20_000; i++) {
            sink += copy(bus, buf, data);
        }
        long allocated = threads.getThreadAllocatedBytes(id) - before;
        assertTrue(allocated < 16 * 1024, allocated + " bytes allocated over 20000 reads and writes (sink " + sink + ")");
    }

    private static long copy(BusMaster bus, long buf, byte[] data) {
        bus.write(buf + 8, data, 0, data.length - 8);
        bus.read(buf, data, 0, data.length);
        return data[100];
    }
}
