package org.iommulab.smmu.v3.internal.driver;

import org.iommulab.api.platform.PhysicalMemory;

/**
 * Linux's hitless STE/CD update, {@code arm_smmu_write_entry}: the SMMU may fetch the entry at
 * any moment, so it must only ever see the old entry, the new one, or a mix whose used bits
 * are all from one of them. From the used bits of the current and target entries:
 * <ul>
 * <li>if only one qword's used bits change: write every bit the current entry ignores, sync;
 * write that critical qword, sync; write the rest (clearing now-unused bits), sync;</li>
 * <li>if several do: a breaking update, clear V (qword 0), sync; write qwords 1-7, sync; write
 * qword 0, sync;</li>
 * <li>if none do: write what differs (only unused bits), sync.</li>
 * </ul>
 * A sync is the owner's invalidation of the entry plus CMD_SYNC (CFGI_STE or CFGI_CD). Every
 * write is one 64-bit store, as Linux's {@code WRITE_ONCE}.
 */
final class EntryWriter {
    static final int QWORDS = 8;

    /** The entry kind: which bits the SMMU uses, and how to make it re-read the entry. */
    interface Ops {
        /** Linux {@code get_used}: the bits of {@code entry} the SMMU uses. */
        void usedBits(long[] entry, long[] used);

        /** Invalidates the SMMU's copy of the entry and waits (CFGI + CMD_SYNC). */
        void sync();
    }

    private final PhysicalMemory memory;
    private final long[] cur = new long[QWORDS];
    private final long[] curUsed = new long[QWORDS];
    private final long[] targetUsed = new long[QWORDS];
    private final long[] unusedUpdate = new long[QWORDS];
    private long syncs;

    EntryWriter(PhysicalMemory memory) {
        this.memory = memory;
    }

    /** Syncs issued so far. */
    long syncs() {
        return syncs;
    }

    /** Rewrites the entry at {@code addr} to {@code target}, hitlessly when one qword's used bits change. */
    synchronized void write(long addr, long[] target, Ops ops) {
        for (int i = 0; i < QWORDS; i++) {
            cur[i] = memory.readLong(addr + 8L * i);
        }
        int diff = qwordDiff(target, ops);
        if (Integer.bitCount(diff) == 1) {
            int critical = Integer.numberOfTrailingZeros(diff);
            // "Skip writing unused bits in the critical qword since we'll be writing it in the
            // next step anyways."
            unusedUpdate[critical] = cur[critical];
            set(addr, unusedUpdate, 0, QWORDS, ops);
            set(addr, target, critical, 1, ops);
            set(addr, target, 0, QWORDS, ops);
        } else if (diff != 0) {
            unusedUpdate[0] = 0;
            set(addr, unusedUpdate, 0, 1, ops);
            set(addr, target, 1, QWORDS - 1, ops);
            set(addr, target, 0, 1, ops);
        } else {
            set(addr, target, 0, QWORDS, ops);
        }
    }

    /** Linux {@code arm_smmu_entry_qword_diff}. */
    private int qwordDiff(long[] target, Ops ops) {
        java.util.Arrays.fill(curUsed, 0);
        java.util.Arrays.fill(targetUsed, 0);
        ops.usedBits(cur, curUsed);
        ops.usedBits(target, targetUsed);
        int diff = 0;
        for (int i = 0; i < QWORDS; i++) {
            if ((target[i] & ~targetUsed[i]) != 0) {
                throw new IllegalStateException(String.format(
                        "entry builder set unused bits 0x%x in qword %d: the used-bits table is out of date",
                        target[i] & ~targetUsed[i], i));
            }
            // Bits can change because they are not currently being used.
            unusedUpdate[i] = (cur[i] & curUsed[i]) | (target[i] & ~curUsed[i]);
            // A used bit of the target still differs after that.
            if ((unusedUpdate[i] & targetUsed[i]) != target[i]) {
                diff |= 1 << i;
            }
        }
        return diff;
    }

    /** Linux {@code entry_set}: writes the qwords that differ, then syncs if any did. */
    private void set(long addr, long[] src, int start, int len, Ops ops) {
        boolean changed = false;
        for (int i = start; i < start + len; i++) {
            long at = addr + 8L * i;
            if (memory.readLong(at) != src[i]) {
                memory.writeLong(at, src[i]);
                changed = true;
            }
        }
        if (changed) {
            syncs++;
            ops.sync();
        }
    }
}
