package org.iommulab.smmu.v3.internal.driver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.iommulab.iopgtable.lpae.LpaeConfig;
import org.iommulab.iopgtable.lpae.LpaeStage;
import org.iommulab.platform.internal.memory.SparsePhysicalMemory;
import org.junit.jupiter.api.Test;

/**
 * Linux's hitless entry update ({@code arm_smmu_write_entry}, as its KUnit tests check it):
 * at every sync the SMMU may fetch the entry, and must then see the old entry or the new one
 * in the bits each uses, never a mix; a change in one qword's used bits takes no breaking
 * update.
 */
class EntryWriterTest {
    private static final long AT = 0x4000_0000L;

    private final SparsePhysicalMemory mem = SparsePhysicalMemory.defaultLayout();
    private final EntryWriter writer = new EntryWriter(mem);

    private long[] read() {
        long[] e = new long[8];
        for (int i = 0; i < 8; i++) {
            e[i] = mem.readLong(AT + 8L * i);
        }
        return e;
    }

    private static boolean sameUsed(long[] seen, long[] ref) {
        long[] used = new long[8];
        SteEntries.usedBits(ref, used);
        for (int i = 0; i < 8; i++) {
            if ((seen[i] & used[i]) != (ref[i] & used[i])) {
                return false;
            }
        }
        return true;
    }

    /** Writes {@code from}, then updates to {@code to}; returns the syncs and checks every intermediate state. */
    private int transition(long[] from, long[] to) {
        for (int i = 0; i < 8; i++) {
            mem.writeLong(AT + 8L * i, from[i]);
        }
        List<long[]> seen = new ArrayList<>();
        writer.write(AT, to, new EntryWriter.Ops() {
            @Override
            public void usedBits(long[] entry, long[] used) {
                SteEntries.usedBits(entry, used);
            }

            @Override
            public void sync() {
                seen.add(read());
            }
        });
        for (long[] s : seen) {
            boolean invalid = (s[0] & 1) == 0;
            assertTrue(invalid || sameUsed(s, from) || sameUsed(s, to), "a torn STE was visible to the SMMU");
        }
        assertArrayEquals(to, read());
        return seen.size();
    }

    private static long[] ste(java.util.function.Consumer<long[]> maker) {
        long[] e = new long[8];
        maker.accept(e);
        return e;
    }

    @Test
    void transitionsAreHitlessOrBreakViaInvalid() {
        LpaeConfig s2 = LpaeConfig.of(LpaeStage.STAGE2, 1L << 12 | 1L << 21 | 1L << 30, 44, 44);
        long[] abort = ste(SteEntries::abort);
        long[] bypass = ste(SteEntries::bypass);
        long[] s1 = ste(e -> SteEntries.stage1(e, 0x5000_0000L));
        long[] s1b = ste(e -> SteEntries.stage1(e, 0x5000_1000L));
        long[] s2a = ste(e -> SteEntries.stage2(e, s2, 0x6000_0000L, 1));
        long[] s2b = ste(e -> SteEntries.stage2(e, s2, 0x6000_2000L, 2));
        long[] nested = ste(e -> SteEntries.nested(e, 0x5000_0000L, s2, 0x6000_0000L, 1));
        assertEquals(2, transition(abort, bypass), "SHCFG (unused by abort) first, then the critical qword 0");
        assertEquals(2, transition(abort, s1), "unused bits first, then the critical qword 0");
        assertEquals(1, transition(s1, s1b), "only S1ContextPtr changes");
        assertEquals(3, transition(s1, s2a), "qwords 0, 2 and 3 change: a breaking update via V = 0");
        assertEquals(3, transition(s2a, s2b), "VMID and S2TTB in two qwords: breaking");
        assertEquals(3, transition(s1, nested));
        assertEquals(2, transition(bypass, abort), "qword 0 first, then the now-unused SHCFG is cleared");
        assertEquals(0, transition(s1, s1), "no change, no sync");
    }

    @Test
    void cdUpdatesAreHitlessWhenOnlyOneQwordChanges() {
        LpaeConfig c = LpaeConfig.of(LpaeStage.STAGE1, 1L << 12, 48, 44);
        long[] cdA = new long[8];
        long[] cdB = new long[8];
        CdEntries.stage1(cdA, c, 0x7000_0000L, 5);
        CdEntries.stage1(cdB, c, 0x7000_1000L, 5);
        for (int i = 0; i < 8; i++) {
            mem.writeLong(AT + 8L * i, cdA[i]);
        }
        int[] syncs = {0};
        writer.write(AT, cdB, new EntryWriter.Ops() {
            @Override
            public void usedBits(long[] entry, long[] used) {
                CdEntries.usedBits(entry, used);
            }

            @Override
            public void sync() {
                syncs[0]++;
                long[] s = read();
                assertTrue(s[1] == cdA[1] || s[1] == cdB[1]);
                assertEquals(cdA[0], s[0], "qword 0 (V, ASID) never changes");
            }
        });
        assertEquals(1, syncs[0]);
        assertArrayEquals(cdB, read());
    }
}
