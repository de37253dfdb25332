package org.iommulab.smmu.v3.internal.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.lang.reflect.Field;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import org.iommulab.api.platform.PhysicalMemory;
import org.iommulab.smmu.v3.internal.model.SmmuV3Features;
import org.iommulab.testkit.ForwardingPhysicalMemory;
import org.junit.jupiter.api.Test;

/**
 * A CPU whose command writes throw after it reserved its slots (Linux's writes cannot fail; a
 * simulated queue buffer can) must not leave the lock-free queue waiting for it: its slots are
 * still marked valid and, as owner, it still publishes, so every other CPU's issue returns.
 * Without that, the next owner would wait for the slots (or for owner_prod) forever.
 *
 * <p>What the SMMU then finds in those slots is what a previous lap left there: here a
 * completed CMD_SYNC whose MSI zeroed its opcode, an illegal command (IHI0070 §7.1,
 * CERROR_ILL) that halts the queue, so the later syncs may time out (-110, as Linux's
 * CMD_SYNC timeout): each issue returns 0 or -110, none hangs.
 */
class CommandQueueWriteFailureTest {

    @Test
    void aThrowingWriteLeavesNoOtherIssueWaitingForever() throws Exception {
        DriverHarness h = DriverHarness.with(SmmuV3Features.Stages.S1, DriverConfig.Stage.S1, true, true, true);
        CommandQueue q = h.driver.hw().cmdq;
        long[] tlbi = new long[2];
        Commands.tlbiNhAsid(tlbi, 1, 0);
        // A lap and a half first, so the slots the failing issue reserves hold earlier valid commands.
        for (int i = 0; i < 200; i++) {
            assertEquals(0, q.issueWithSync(tlbi[0], tlbi[1]));
        }
        ThrowingMemory faulty = new ThrowingMemory(h.mem, q.buffer().base(), q.buffer().size());
        Field memory = CommandQueue.class.getDeclaredField("memory");
        memory.setAccessible(true);
        memory.set(q, faulty);
        faulty.armed = true;
        assertThrows(IllegalStateException.class, () -> q.issueWithSync(tlbi[0], tlbi[1]));
        assertThrows(IllegalStateException.class, () -> q.issue(new long[] {tlbi[0], tlbi[1], tlbi[0], tlbi[1]}, 2, false));
        faulty.armed = false;
        AtomicInteger failures = new AtomicInteger();
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            Thread[] cpus = new Thread[2];
            for (int t = 0; t < cpus.length; t++) {
                cpus[t] = new Thread(() -> {
                    for (int i = 0; i < 20; i++) {
                        int rc = q.issueWithSync(tlbi[0], tlbi[1]);
                        if (rc != 0 && rc != -110) {
                            failures.incrementAndGet();
                        }
                    }
                });
                cpus[t].start();
            }
            for (Thread c : cpus) {
                c.join();
            }
        });
        assertEquals(0, failures.get(), "every later issue returned 0 or -110");
    }

    /** The platform's memory, but writes into the queue's buffer throw while armed. */
    private static final class ThrowingMemory extends ForwardingPhysicalMemory {
        private final long base;
        private final long size;
        volatile boolean armed;

        ThrowingMemory(PhysicalMemory inner, long base, long size) {
            super(inner);
            this.base = base;
            this.size = size;
        }

        private void check(long addr) {
            if (armed && addr >= base && addr < base + size) {
                throw new IllegalStateException("injected write failure at 0x" + Long.toHexString(addr));
            }
        }

        @Override
        public void copy(long src, long dst, long len) {
            check(dst);
            super.copy(src, dst, len);
        }

        @Override
        public void writeByte(long addr, byte value) {
            check(addr);
            super.writeByte(addr, value);
        }

        @Override
        public void writeInt(long addr, int value) {
            check(addr);
            super.writeInt(addr, value);
        }

        @Override
        public void writeLong(long addr, long value) {
            check(addr);
            super.writeLong(addr, value);
        }

        @Override
        public void write(long addr, byte[] src, int off, int len) {
            check(addr);
            super.write(addr, src, off, len);
        }

        @Override
        public void fill(long addr, long len, byte value) {
            check(addr);
            super.fill(addr, len, value);
        }
    }
}
