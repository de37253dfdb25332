package org.iommulab.smmu.v3.internal.driver;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.iommulab.api.platform.PhysicalMemory;
import org.iommulab.modelkit.queue.QueueGeometry;
import org.iommulab.smmu.v3.internal.format.RegFields.Queue;
import org.iommulab.smmu.v3.internal.format.Regs;
import org.iommulab.smmu.v3.internal.format.SmmuQueues;
import org.iommulab.smmu.v3.internal.model.SmmuV3Mmio;

/**
 * The driver's side of the command queue, Linux {@code arm_smmu_cmdq_issue_cmdlist}
 * (drivers/iommu/arm/arm-smmu-v3/arm-smmu-v3.c) with its lock-free machinery, so that CPUs
 * (threads) issuing for different devices of one SMMU never wait on one lock:
 * <ol>
 * <li>slots are reserved with a compare-and-swap on the shared {@code llq.prod}; the reserver
 * that finds {@code CMDQ_PROD_OWNED_FLAG} clear becomes the owner and sets it. Linux swaps
 * PROD and CONS together ({@code union arm_smmu_ll_queue}); here CONS is a word of its own,
 * read before the swap: it only ever moves forward, so a CONS that changed meanwhile was
 * smaller, and the space it showed was never more than there is;</li>
 * <li>each CPU writes its own commands (and its CMD_SYNC) into its slots;</li>
 * <li>and marks them valid for this lap of the queue ({@code arm_smmu_cmdq_set_valid_map}; a
 * byte per slot written with a release store where Linux toggles bits with an atomic XOR, see
 * {@link #setValidMap});</li>
 * <li>the owner waits for the previous owner ({@code owner_prod}), stops gathering by clearing
 * the owned flag, waits until every gathered slot is valid ({@code arm_smmu_cmdq_poll_valid_map}),
 * writes CMDQ_PROD once for all of them and hands over ({@code owner_prod = prod});</li>
 * <li>a CPU that added a CMD_SYNC waits for its own sync, holding the queue's shared lock
 * ({@code arm_smmu_cmdq_shared_lock}) so that CONS cannot be moved past its slot before it saw
 * the sync complete; the last holder publishes the CONS it learnt
 * ({@code arm_smmu_cmdq_shared_tryunlock}).</li>
 * </ol>
 * As Linux keeps the queue's indexes in memory, the driver never reads PROD back and reads
 * CONS only when the CONS it knows leaves too little space ({@code queue_has_space}, then
 * {@code arm_smmu_cmdq_poll_until_not_full} under the exclusive lock): a stale CONS can only
 * be behind the hardware's, so the space it shows is never more than there is. The sync is
 * awaited by polling the sync's own slot for the MSI that zeroes its first word
 * ({@code __arm_smmu_cmdq_poll_until_msi}, Linux's choice when the SMMU has MSIs) or by polling
 * CONS ({@code __arm_smmu_cmdq_poll_until_consumed}).
 *
 * <p>The model consumes the queue synchronously when CMDQ_PROD is written, on the owner's
 * thread, in order: one owner at a time reaches the SMMU model (and takes its lock), as
 * Linux's owner alone writes the PROD register, and the other CPUs only wait for their syncs;
 * no lock is held from one CPU's reservation to its completion. Waits: waiting for another CPU (the previous owner, a gathered CPU's
 * valid bits, the publication of one's own slots) is unbounded, as Linux's
 * {@code atomic_cond_read_relaxed} is (those CPUs run with interrupts off and always finish;
 * here a waiter spins, yields, then sleeps briefly, since a host thread can be descheduled). Waiting for the
 * SMMU is bounded: once one's slots were published the model has run them, so a sync not
 * complete then, or a queue still full when everything reserved was published, is stuck;
 * after {@link #POLL_LIMIT} polls it is logged as Linux logs "CMD_SYNC timeout" and reported
 * to the caller (Linux's poll gives up after ARM_SMMU_POLL_TIMEOUT_US; a full queue Linux
 * retries forever, logging "CMDQ timeout"; here it fails the issue, -110, writing nothing).
 * Not modelled: Linux's {@code local_irq_save} around the issue (no interrupts preempt a host
 * thread), the WFE/SEV wait, and ECMDQs and the Tegra241 CMDQV.
 */
final class CommandQueue {
    /** Polls before a wait on the SMMU is declared timed out (Linux: ARM_SMMU_POLL_TIMEOUT_US of spinning). */
    static final int POLL_LIMIT = 1000;
    /** Linux CMDQ_BATCH_ENTRIES: commands per batch before an intermediate submit. */
    static final int BATCH_ENTRIES = 64;
    /** Linux {@code CMDQ_PROD_OWNED_FLAG} (Q_OVERFLOW_FLAG): set in llq.prod while an owner gathers. */
    static final int OWNED = 1 << 31;
    /** Spins (Thread.onSpinWait) before a wait on another thread starts yielding, and yields before it sleeps. */
    private static final int SPINS = 1024;
    private static final VarHandle VALID = MethodHandles.arrayElementVarHandle(byte[].class);

    private final SmmuV3Mmio mmio;
    private final PhysicalMemory memory;
    private final DmaBuffer buffer;
    /** {@code buffer.base()}, kept here: every slot address starts from it. */
    private final long queueBase;
    private final QueueGeometry ring;
    private final boolean msiPoll;
    private final DriverLog log;
    /** Linux {@code cmdq->q.llq.prod}, with the owned flag; through {@link #PROD}. */
    @SuppressWarnings("unused")
    private volatile int llqProd;
    /** Linux {@code cmdq->q.llq.cons}; through {@link #CONS}. */
    @SuppressWarnings("unused")
    private volatile int llqCons;
    /**
     * Linux {@code cmdq->owner_prod}: the PROD the last owner wrote to CMDQ_PROD; through
     * {@link #OWNER_PROD}. This and {@link #lock} are fields of the queue, as in Linux's
     * {@code struct arm_smmu_cmdq}, not objects of their own: one less load on every issue.
     */
    @SuppressWarnings("unused")
    private volatile int ownerProd;
    /**
     * Linux {@code cmdq->lock}: a count of shared holders (CPUs waiting for their CMD_SYNC), or
     * {@link Integer#MIN_VALUE} while one CPU holds it exclusively to refresh CONS; through {@link #LOCK}.
     */
    @SuppressWarnings("unused")
    private volatile int lock;
    private static final VarHandle PROD;
    private static final VarHandle CONS;
    private static final VarHandle OWNER_PROD;
    private static final VarHandle LOCK;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            PROD = l.findVarHandle(CommandQueue.class, "llqProd", int.class);
            CONS = l.findVarHandle(CommandQueue.class, "llqCons", int.class);
            OWNER_PROD = l.findVarHandle(CommandQueue.class, "ownerProd", int.class);
            LOCK = l.findVarHandle(CommandQueue.class, "lock", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
    /** Linux {@code cmdq->valid_map}: a byte per slot here ({@link #setValidMap}), through {@link #VALID}. */
    private final byte[] validMap;
    private final AtomicLong timeouts = new AtomicLong();

    CommandQueue(SmmuV3Mmio mmio, PhysicalMemory memory, DmaBuffer buffer, int log2, boolean msiPoll, DriverLog log) {
        this.mmio = mmio;
        this.memory = memory;
        this.buffer = buffer;
        this.queueBase = buffer.base();
        this.ring = SmmuQueues.commands(log2);
        this.msiPoll = msiPoll;
        this.log = log;
        this.validMap = new byte[ring.entries()];
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
     * disabled, the driver's copies with them (and the valid map, which a zero PROD expects
     * clear). Runs before any command is issued, with no issuer in flight.
     */
    void resetIndexes() {
        mmio.write32(Regs.CMDQ_PROD.offset(), 0);
        mmio.write32(Regs.CMDQ_CONS.offset(), 0);
        for (int i = 0; i < validMap.length; i++) {
            VALID.setVolatile(validMap, i, (byte) 0);
        }
        OWNER_PROD.setVolatile(this, 0);
        CONS.setVolatile(this, 0);
        PROD.setVolatile(this, 0);
    }

    /** Waits that gave up. */
    long timeouts() {
        return timeouts.get();
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
        return issueCmdlist(cmds, n, 0, 0, sync);
    }

    /**
     * One command and a CMD_SYNC, Linux {@code arm_smmu_cmdq_issue_cmd_with_sync}, which is
     * {@code arm_smmu_cmdq_issue_cmdlist(smmu, &cmd, 1, true)}: the same list {@link #issue}
     * writes for {@code n = 1, sync = true}, with the command passed as its two doublewords and
     * encoded straight into its slot, so nothing is gathered first. Returns 0 or -110.
     */
    int issueWithSync(long d0, long d1) {
        return issueCmdlist(null, 1, d0, d1, true);
    }

    /**
     * Linux {@code arm_smmu_cmdq_issue_cmdlist}: {@code n} commands from {@code cmds}, or the one
     * command {@code d0, d1} when {@code cmds} is null, and a CMD_SYNC when {@code sync}.
     */
    private int issueCmdlist(long[] cmds, int n, long d0, long d1, boolean sync) {
        int needed = n + (sync ? 1 : 0);
        // 1. Allocate some space in the queue.
        int old = (int) PROD.getVolatile(this);
        int stuck = 0;
        int waits = 0;
        for (;;) {
            while (!hasSpace(old, needed)) {
                // A queue is stuck only when everything reserved was published (the model has
                // run it) and CONS, read back under the exclusive lock, still leaves no room.
                boolean idle = allPublished(old);
                int hwCons = pollUntilNotFull(waits++);
                old = (int) PROD.getVolatile(this);
                if (idle && hwCons >= 0 && !hasSpace(old, needed) && ++stuck >= POLL_LIMIT) {
                    return timedOut("space for " + needed + " commands", old & ~OWNED);
                }
            }
            int head = ring.advance(old & ~OWNED, needed) | OWNED;
            int witness = (int) PROD.compareAndExchange(this, old, head);
            if (witness == old) {
                break;
            }
            old = witness;
        }
        boolean owner = (old & OWNED) == 0;
        int start = old & ~OWNED;
        int end = ring.advance(start, needed);
        if (sync) {
            // "In order to determine completion of our CMD_SYNC, we must ensure that the queue
            // can't wrap twice without us noticing. We achieve that by taking the cmdq lock as
            // shared before marking our slot as valid." Linux takes it once its commands are
            // written; taken before (the same guarantee), its locked instruction finds no
            // stores of the commands pending that it would have to wait for.
            sharedLock();
        }
        int cons = NOTHING_LEARNT;
        boolean ownerDone = !owner;
        long syncSlot = 0;
        try {
            try {
                // 2. Write our commands into the queue.
                int p = start;
                if (cmds == null) {
                    writeSlot(p, d0, d1);
                    p = ring.advance(p, 1);
                } else {
                    for (int i = 0; i < n; i++) {
                        writeSlot(p, cmds[2 * i], cmds[2 * i + 1]);
                        p = ring.advance(p, 1);
                    }
                }
                syncSlot = slot(p);
                if (sync) {
                    long msi = msiPoll ? syncSlot : 0;
                    writeSlot(p, Commands.syncD0(msi), Commands.syncD1(msi));
                }
            } finally {
                // 3. Mark our slots as valid, ensuring commands are visible first. Also when a
                // write threw (Linux's writes cannot fail; a simulated queue buffer can): slots
                // once reserved are always marked, or the owner gathering them would wait for
                // them forever.
                setValidMap(start, end);
            }
            // 4. If we are the owner, take control of the SMMU hardware.
            if (owner) {
                ownerDone = true;
                publishAsOwner(start);
            }
            if (!sync) {
                return 0;
            }
            // 5. If we are inserting a CMD_SYNC, we must wait for it to complete.
            cons = pollUntilSync(end, syncSlot);
        } finally {
            if (!ownerDone) {
                // The writes threw before this owner published: publish anyway, so that the
                // next owner, waiting for owner_prod to reach its start, is not stuck forever.
                publishAsOwner(start);
            }
            if (sync) {
                // "Try to unlock the cmdq lock. This will fail if we're the last reader, in
                // which case we can safely update cmdq->q.llq.cons." (Also when the doorbell
                // threw, learning nothing: a lock left held would stop CONS from ever being
                // refreshed.)
                if (!sharedTryUnlock()) {
                    if (cons != NOTHING_LEARNT) {
                        setCons(cons < 0 ? ~cons : cons);
                    }
                    LOCK.getAndAdd(this, -1);
                }
            }
        }
        return cons < 0 ? timedOut("CMD_SYNC", end) : 0;
    }

    /** No CONS was learnt (the sync was not awaited). */
    private static final int NOTHING_LEARNT = Integer.MIN_VALUE;

    /**
     * Step 4 of {@code arm_smmu_cmdq_issue_cmdlist}: wait for the previous owner, stop
     * gathering, wait for the gathered slots to be valid, write CMDQ_PROD, tell the next owner.
     */
    private void publishAsOwner(int start) {
        // a. Wait for previous owner to finish.
        for (int spins = 0; (int) OWNER_PROD.getVolatile(this) != start; spins++) {
            backOff(spins);
        }
        // b. Stop gathering work by clearing the owned flag.
        int prod = (int) PROD.getAndBitwiseAnd(this, ~OWNED) & ~OWNED;
        try {
            // c. Wait for any gathered work to be written to the queue.
            pollValidMap(start, prod);
            // d. Advance the hardware prod pointer (the model consumes up to it now).
            mmio.write32(Regs.CMDQ_PROD.offset(), prod);
        } finally {
            // e. Tell the next owner we're done (even if the doorbell threw: nobody may wait forever).
            OWNER_PROD.setRelease(this, prod);
        }
    }

    /**
     * Linux {@code arm_smmu_cmdq_poll_until_sync}: returns the CONS learnt (past the sync), or
     * on timeout {@code ~cons}, negative, with CONS read back from the SMMU (Linux takes the
     * sync's own slot, "llq->cons = ret ? llq->prod : ...", which a halted queue may not have
     * reached; the CONS read back keeps the driver's CONS never ahead of the hardware's). Until the slots up to {@code end} are published this waits for the owner
     * who publishes them; then the model has consumed them, and a sync still pending is a
     * stuck queue, polled {@link #POLL_LIMIT} times.
     */
    private int pollUntilSync(int end, long syncSlot) {
        for (int spins = 0; !published(end); spins++) {
            backOff(spins);
        }
        for (int polls = 0; polls < POLL_LIMIT; polls++) {
            if (msiPoll) {
                // __arm_smmu_cmdq_poll_until_msi: the MSI zeroes the sync's first word.
                if (memory.readInt(syncSlot) == 0) {
                    return end;
                }
            } else {
                // __arm_smmu_cmdq_poll_until_consumed: queue_consumed(llq, prod) on CONS read back.
                int cons = ring.position(mmio.read32(Regs.CMDQ_CONS.offset()));
                if (ring.used(cons, end) < ring.entries()) {
                    return cons;
                }
            }
            Thread.onSpinWait();
            // A fresh read of what owners published: the MSI an owner's doorbell wrote is seen.
            int seen = (int) OWNER_PROD.getVolatile(this);
        }
        return ~ring.position(mmio.read32(Regs.CMDQ_CONS.offset()));
    }

    /** Whether an owner wrote CMDQ_PROD at or past {@code end} (owner_prod is never more than a queue ahead). */
    private boolean published(int end) {
        return ring.used((int) OWNER_PROD.getVolatile(this), end) < ring.entries();
    }

    /** Whether every reserved slot of {@code llqVal} was published: nothing is on its way to the SMMU. */
    private boolean allPublished(int llqProd) {
        return (int) OWNER_PROD.getVolatile(this) == (llqProd & ~OWNED);
    }

    /**
     * Linux {@code arm_smmu_cmdq_poll_until_not_full}: "Try to update our copy of cons by
     * grabbing exclusive cmdq access. If that fails, spin until somebody else updates it for
     * us." Returns the CONS read from the SMMU, or -1 when another CPU held the lock.
     */
    private int pollUntilNotFull(int attempt) {
        if (LOCK.compareAndSet(this, 0, Integer.MIN_VALUE)) {
            try {
                int cons = ring.position(mmio.read32(Regs.CMDQ_CONS.offset()));
                setCons(cons);
                return cons;
            } finally {
                LOCK.setVolatile(this, 0);
            }
        }
        backOff(attempt);
        return -1;
    }

    /** WRITE_ONCE(cmdq->q.llq.cons, cons). */
    private void setCons(int cons) {
        CONS.setRelease(this, cons);
    }

    /** Linux {@code arm_smmu_cmdq_shared_lock}. */
    private void sharedLock() {
        // "We can try to avoid the cmpxchg() loop by simply incrementing the lock counter. When
        // held in exclusive state, the lock counter is set to INT_MIN so these increments won't
        // hurt as the value will remain negative."
        if ((int) LOCK.getAndAdd(this, 1) >= 0) {
            return;
        }
        int val;
        int spins = 0;
        do {
            while ((val = (int) LOCK.getVolatile(this)) < 0) {
                backOff(spins++);
            }
        } while (!LOCK.compareAndSet(this, val, val + 1));
    }

    /** Linux {@code arm_smmu_cmdq_shared_tryunlock}: false, still holding, when this is the last holder. */
    private boolean sharedTryUnlock() {
        if ((int) LOCK.getVolatile(this) == 1) {
            return false;
        }
        LOCK.getAndAdd(this, -1);
        return true;
    }

    /**
     * Linux {@code arm_smmu_cmdq_set_valid_map}: marks every slot in {@code [sprod, eprod)} valid
     * for this lap of the queue. Linux keeps one bit a slot, the inverse of the wrap bit, and
     * toggles them with an atomic XOR because CPUs share the bitmap's words; here each slot has
     * a byte of its own, which only the CPU that reserved the slot writes in a lap, so a release
     * store (the commands written first, Linux's {@code dma_wmb}) says the same without a locked
     * instruction. The byte holds the slot's wrap bit plus one: 0, never written, is valid in no
     * lap; a value two laps old cannot be mistaken for this lap's, since the lap between wrote
     * the other value before its slot could be consumed, and so before it could be reserved again.
     */
    private void setValidMap(int sprod, int eprod) {
        for (int p = sprod; p != eprod; p = ring.advance(p, 1)) {
            VALID.setRelease(validMap, ring.index(p), (byte) (ring.wrap(p) + 1));
        }
    }

    /**
     * Linux {@code arm_smmu_cmdq_poll_valid_map}: waits until every slot in {@code [sprod, eprod)}
     * is valid for its lap.
     */
    private void pollValidMap(int sprod, int eprod) {
        for (int p = sprod; p != eprod; p = ring.advance(p, 1)) {
            byte valid = (byte) (ring.wrap(p) + 1);
            int idx = ring.index(p);
            for (int spins = 0; (byte) VALID.getAcquire(validMap, idx) != valid; spins++) {
                backOff(spins);
            }
        }
    }

    /** queue_has_space(&llq, needed), CONS read now (after the PROD it is checked with). */
    private boolean hasSpace(int llqProd, int needed) {
        return ring.space(llqProd & ~OWNED, (int) CONS.getAcquire(this)) >= needed;
    }

    /**
     * A wait on another thread: spin a while, then let the host run it, then sleep 10 us at a
     * time. Linux's CPUs wait here with interrupts off for CPUs that cannot be preempted either;
     * a host thread can be descheduled in the middle of its issue, and a waiter that kept
     * spinning or yielding would burn the CPU that thread needs.
     */
    private static void backOff(int spins) {
        if (spins < SPINS) {
            Thread.onSpinWait();
        } else if (spins < 2 * SPINS) {
            Thread.yield();
        } else {
            LockSupport.parkNanos(10_000);
        }
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
        writeSlot(cons, Commands.syncD0(0), Commands.syncD1(0));
    }

    private int timedOut(String what, int prod) {
        timeouts.incrementAndGet();
        log.add(String.format("CMD_SYNC timeout waiting for %s at 0x%08x [hwprod 0x%08x, hwcons 0x%08x]", what, prod,
                mmio.read32(Regs.CMDQ_PROD.offset()), mmio.read32(Regs.CMDQ_CONS.offset())));
        return -110;
    }

    private long slot(int p) {
        return ring.slotAddress(queueBase, p);
    }

    private void writeSlot(int p, long d0, long d1) {
        long at = slot(p);
        memory.writeLong(at, d0);
        memory.writeLong(at + 8, d1);
    }
}
