package org.iommulab.smmu.v3.internal.model;

import org.iommulab.api.platform.PhysicalMemory;

/**
 * The SMMU's own accesses to memory (stream table, CDs, queues, MSIs), with the reach check of
 * IHI0070 §3.4.3: an address at or above 2^OAS, or one that is not RAM, aborts (the fetch
 * events F_STE_FETCH and F_CD_FETCH, CERROR_ABT, EVENTQ_ABT_ERR). Table walks go through the
 * walker, which makes the same checks.
 */
public final class SmmuMemory {
    private final PhysicalMemory memory;
    private final long limit;

    public SmmuMemory(PhysicalMemory memory, int oasBits) {
        this.memory = memory;
        this.limit = 1L << oasBits;
    }

    public PhysicalMemory memory() {
        return memory;
    }

    /** True when {@code [addr, addr+len)} is below 2^OAS and is RAM. */
    public boolean reachable(long addr, long len) {
        return addr >= 0 && addr + len <= limit && memory.isRam(addr, len);
    }

    /** Reads {@code n} doublewords at {@code addr} into {@code out}, or returns false (an abort). */
    public boolean readDwords(long addr, long[] out, int n) {
        if (!reachable(addr, 8L * n)) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            out[i] = memory.readLong(addr + 8L * i);
        }
        return true;
    }

    public boolean writeDwords(long addr, long[] in, int n) {
        if (!reachable(addr, 8L * n)) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            memory.writeLong(addr + 8L * i, in[i]);
        }
        return true;
    }

    public boolean writeInt(long addr, int value) {
        if (!reachable(addr, 4)) {
            return false;
        }
        memory.writeInt(addr, value);
        return true;
    }
}
