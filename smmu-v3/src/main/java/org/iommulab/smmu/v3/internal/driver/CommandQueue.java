package org.iommulab.smmu.v3.internal.driver;

import org.iommulab.api.platform.PhysicalMemory;
import org.iommulab.modelkit.queue.QueueGeometry;
import org.iommulab.smmu.v3.internal.format.CmdFormat;
import org.iommulab.smmu.v3.internal.format.RegFields.Queue;
import org.iommulab.smmu.v3.internal.format.Regs;
import org.iommulab.smmu.v3.internal.format.SmmuQueues;
import org.iommulab.smmu.v3.internal.model.SmmuV3Mmio;

/**
 * The driver's side of the command queue, Linux {@code arm_smmu_cmdq_issue_cmdlist} without
 * its lock-free machinery (one lock here): wait for space, write the commands at PROD, add a
 * CMD_SYNC when asked, publish PROD, and wait for the sync to complete. As Linux keeps the
 * queue's indexes in memory ({@code cmdq->q.llq}), the driver never reads PROD back (only it
 * writes PROD) and reads CONS only when its last known CONS leaves too little space
 * ({@code queue_has_space}, then {@code arm_smmu_cmdq_poll_until_not_full}): a stale CONS can
 * only be behind the hardware's, so the space it shows is never more than there is. The sync
 * is awaited either by polling the
 * sync's own slot for the MSI that zeroes its first word ({@code __arm_smmu_cmdq_poll_until_msi},
 * Linux's choice when the SMMU has MSIs) or by polling CONS after an SEV
 * ({@code __arm_smmu_cmdq_poll_until_consumed}). Waits are bounded polls; a stuck queue is
 * logged as Linux logs "CMD_SYNC timeout" and reported to the caller.
 */
final class CommandQueue {
    /** Polls before a wait is declared timed out (Linux: ARM_SMMU_POLL_TIMEOUT_US of spinning). */
    static final int POLL_LIMIT = 1000;
    /** Linux CMDQ_BATCH_ENTRIES: commands per batch before an intermediate submit. */
    static final int BATCH_ENTRIES = 64;

    private final SmmuV3Mmio mmio;
    private final PhysicalMemory memory;
    private final DmaBuffer buffer;
    private final QueueGeometry ring;
    private final boolean msiPoll;
    private final DriverLog log;
    private final long[] syncCmd = new long[2];
    /**
     * The queue's one lock (Linux has none: {@code arm_smmu_cmdq_issue_cmdlist} reserves slots
     * with a cmpxchg on {@code llq}; not modelled). A holder never blocks, it writes a few
     * slots and polls a bounded while, so a waiter spins briefly before it parks: parking and
     * waking a thread for a hold this short costs more than the hold (devices of one SMMU
     * share this queue).
     */
    private final java.util.concurrent.locks.ReentrantLock lock = new java.util.concurrent.locks.ReentrantLock();
    /** tryLock attempts before a waiter parks. */
    private static final int SPINS = 256;
    private long timeouts;
    /** The driver's PROD: what it last wrote to CMDQ_PROD (Linux {@code llq.prod}). */
    private int prod;
    /** CONS as last read from CMDQ_CONS (Linux {@code llq.cons}); behind the hardware's or equal. */
    private int cons;

    CommandQueue(SmmuV3Mmio mmio, PhysicalMemory memory, DmaBuffer buffer, int log2, boolean msiPoll, DriverLog log) {
        this.mmio = mmio;
        this.memory = memory;
        this.buffer = buffer;
        this.ring = SmmuQueues.commands(log2);
        this.msiPoll = msiPoll;
        this.log = log;
    }

    /** The CMDQ_BASE value: address, LOG2SIZE, read-allocate hint. */
    long baseRegister() {
        return Queue.ADDR.bits(buffer.base()) | Queue.LOG2SIZE.of(ring.log2Entries()) | Queue.RA_WA.mask();
    }

    QueueGeometry ring() {
        return ring;
    }

    DmaBuffer buffer() {
        return buffer;
    }

    /**
     * Linux {@code arm_smmu_device_reset}'s queue reset: PROD and CONS to 0 while the queue is
     * disabled, the driver's copies with them.
     */
    void resetIndexes() {
        lock();
        try {
            mmio.write32(Regs.CMDQ_PROD.offset(), 0);
            mmio.write32(Regs.CMDQ_CONS.offset(), 0);
            prod = 0;
            cons = 0;
        } finally {
            lock.unlock();
        }
    }

    private void lock() {
        for (int i = 0; i < SPINS; i++) {
            if (lock.tryLock()) {
                return;
            }
            Thread.onSpinWait();
        }
        lock.lock();
    }

    /** Waits that gave up. */
    long timeouts() {
        lock();
        try {
            return timeouts;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Issues {@code n} commands from {@code cmds} (two doublewords each, consecutively), then a
     * CMD_SYNC and its wait when {@code sync}. Returns 0, or -110 (ETIMEDOUT) when the queue did
     * not drain.
     */
    int issue(long[] cmds, int n, boolean sync) {
        int needed = n + (sync ? 1 : 0);
        if (needed > ring.entries()) {
            throw new IllegalArgumentException(needed + " commands do not fit a " + ring.entries() + "-entry queue");
        }
        lock();
        try {
            return issueLocked(cmds, n, sync, needed);
        } finally {
            lock.unlock();
        }
    }

    private int issueLocked(long[] cmds, int n, boolean sync, int needed) {
        int prod = this.prod;
        if (!waitForSpace(prod, needed)) {
            return timedOut("space for " + needed + " commands", prod);
        }
        for (int i = 0; i < n; i++) {
            writeSlot(prod, cmds[2 * i], cmds[2 * i + 1]);
            prod = ring.advance(prod, 1);
        }
        return publish(prod, sync);
    }

    /**
     * One command and a CMD_SYNC, Linux {@code arm_smmu_cmdq_issue_cmd_with_sync}, which is
     * {@code arm_smmu_cmdq_issue_cmdlist(smmu, &cmd, 1, true)}: the same list {@link #issue}
     * writes for {@code n = 1, sync = true}, with the command passed as its two doublewords and
     * encoded straight into its slot, so nothing is gathered first. Returns 0 or -110.
     */
    int issueWithSync(long d0, long d1) {
        lock();
        try {
            return issueWithSyncLocked(d0, d1);
        } finally {
            lock.unlock();
        }
    }

    /**
     * {@link #issueWithSync(long, long)} that also adds one to {@code issued} while it holds the
     * queue's lock: a caller's count of the commands it issued needs no atomic of its own (an
     * atomic increment per unmap, on a line every thread of the domain writes, costs as much as
     * the slot writes).
     */
    int issueWithSync(long d0, long d1, Count issued) {
        lock();
        try {
            issued.value++;
            return issueWithSyncLocked(d0, d1);
        } finally {
            lock.unlock();
        }
    }

    /** Reads a {@link Count} under the queue's lock, which guards it. */
    long read(Count count) {
        lock();
        try {
            return count.value;
        } finally {
            lock.unlock();
        }
    }

    /** A counter guarded by the queue's lock: written in {@link #issueWithSync(long, long, Count)}, read by {@link #read}. */
    static final class Count {
        private long value;
    }

    private int issueWithSyncLocked(long d0, long d1) {
        int prod = this.prod;
        if (!waitForSpace(prod, 2)) {
            return timedOut("space for 2 commands", prod);
        }
        writeSlot(prod, d0, d1);
        return publish(ring.advance(prod, 1), true);
    }

    /**
     * The end of {@code arm_smmu_cmdq_issue_cmdlist} once the commands are in their slots from
     * the driver's PROD up to {@code prod}: the CMD_SYNC when asked, one write of CMDQ_PROD for
     * the whole list (the doorbell), then the wait for the sync.
     */
    private int publish(int prod, boolean sync) {
        long syncSlot = slot(prod);
        if (sync) {
            Commands.sync(syncCmd, msiPoll ? syncSlot : 0);
            writeSlot(prod, syncCmd[0], syncCmd[1]);
            prod = ring.advance(prod, 1);
        }
        mmio.write32(Regs.CMDQ_PROD.offset(), prod);
        this.prod = prod;
        if (!sync) {
            return 0;
        }
        for (int polls = 0; polls < POLL_LIMIT; polls++) {
            if (msiPoll ? memory.readInt(syncSlot) == 0 : consumed(prod)) {
                return 0;
            }
            Thread.onSpinWait();
        }
        return timedOut("CMD_SYNC", prod);
    }

    /**
     * Linux {@code __arm_smmu_cmdq_skip_err}, its first half: the command CONS stopped at. Like
     * Linux, touches only that slot and no producer state, so the GERROR handler needs no lock
     * (the slot cannot be reused while the queue is halted on it).
     */
    long[] failingCommand(int cons) {
        long at = slot(cons);
        return new long[] {memory.readLong(at), memory.readLong(at + 8)};
    }

    /** Overwrites the command at {@code cons} with a CMD_SYNC (no MSI), as Linux skips an illegal command. */
    void replaceWithSync(int cons) {
        long[] sync = new long[2];
        Commands.sync(sync, 0);
        writeSlot(cons, sync[0], sync[1]);
    }

    private boolean waitForSpace(int prod, int needed) {
        if (ring.space(prod, cons) >= needed) {
            return true;
        }
        for (int polls = 0; polls < POLL_LIMIT; polls++) {
            cons = mmio.read32(Regs.CMDQ_CONS.offset());
            if (ring.space(prod, cons) >= needed) {
                return true;
            }
            Thread.onSpinWait();
        }
        return false;
    }

    private boolean consumed(int prod) {
        cons = mmio.read32(Regs.CMDQ_CONS.offset());
        return ring.used(prod, cons) == 0;
    }

    private int timedOut(String what, int prod) {
        timeouts++;
        log.add(String.format("CMD_SYNC timeout waiting for %s at 0x%08x [hwprod 0x%08x, hwcons 0x%08x]", what, prod,
                mmio.read32(Regs.CMDQ_PROD.offset()), mmio.read32(Regs.CMDQ_CONS.offset())));
        return -110;
    }

    private long slot(int p) {
        return ring.slotAddress(buffer.base(), p);
    }

    private void writeSlot(int p, long d0, long d1) {
        long at = slot(p);
        memory.writeLong(at, d0);
        memory.writeLong(at + 8, d1);
    }
}
