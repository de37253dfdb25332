package org.iommulab.smmu.v2.internal.model;

import org.iommulab.api.backend.TranslationPort;
import org.iommulab.api.platform.AccessType;
import org.iommulab.api.platform.PhysicalMemory;

/**
 * An SMMUv2 (ARM IHI0062, MMU-500 style) as hardware: a memory-mapped register space
 * ({@link #read32}, {@link #write32}, {@link #read64}, {@link #write64} at byte offsets) that
 * the driver programs, interrupt lines it connects to ({@link #connect}), and the translation
 * ports its devices' transactions go through ({@link #port}). Page tables are read from the
 * simulated physical memory; nothing else of the driver's reaches the model. Thread-safe: one
 * lock for registers and transactions (a transaction's fault interrupt runs under it, so the
 * handler sees that fault alone).
 *
 * <p>Besides the registers, a test may make the sync engine stuck ({@link #setSyncStuck}) and
 * read instrumentation ({@link #stats}), which no driver code uses to program anything.
 */
public final class SmmuV2Model {
    private final SmmuState state;
    private final RegisterFile registers;
    private final TransactionPath path;
    private final ContextWalk walk;

    /**
     * @param params what this SMMU implements (validated)
     * @param memory where the page tables live
     * @param name the name faults carry as their backend
     */
    public SmmuV2Model(SmmuV2Params params, PhysicalMemory memory, String name) {
        if (params == null || memory == null || name == null) {
            throw new IllegalArgumentException("an SMMU needs parameters, memory and a name");
        }
        params.validate();
        state = new SmmuState(params, memory, name);
        ConfigCache configs = new ConfigCache(state);
        walk = new ContextWalk(memory);
        registers = new RegisterFile(state, new GlobalSpace(state), new ContextSpace(state, configs, walk));
        path = new TransactionPath(state, configs, walk);
    }

    public SmmuV2Params params() {
        return state.params;
    }

    /** Bytes of register space: {@code 2 * NUMPAGE * page size}. */
    public long size() {
        return state.params.size();
    }

    public int read32(long offset) {
        synchronized (state) {
            return registers.read32(offset);
        }
    }

    public void write32(long offset, int value) {
        synchronized (state) {
            registers.write32(offset, value);
        }
    }

    public long read64(long offset) {
        synchronized (state) {
            return registers.read64(offset);
        }
    }

    public void write64(long offset, long value) {
        synchronized (state) {
            registers.write64(offset, value);
        }
    }

    /** Wires the interrupt outputs; null disconnects them. */
    public void connect(SmmuIrqLines lines) {
        synchronized (state) {
            state.irq = lines == null ? SmmuIrqLines.NONE : lines;
        }
    }

    /**
     * The port a device's transactions enter by. Its stream IDs must fit ID0.NUMSIDB bits.
     *
     * @throws IllegalArgumentException for a stream ID this SMMU cannot carry
     */
    public TranslationPort port(String device, int[] streamIds) {
        for (int sid : streamIds) {
            if (!carries(sid)) {
                throw new IllegalArgumentException(String.format("%s: stream ID 0x%x needs more than the %d bits this SMMU "
                        + "carries (ID0.NUMSIDB)", device, sid, state.params.streamIdBits()));
            }
        }
        return new SmmuV2Port(this, device, state.params.minGranuleShift());
    }

    /** True when {@code sid} fits the stream ID width. */
    public boolean carries(int sid) {
        return sid >= 0 && (sid >>> state.params.streamIdBits()) == 0;
    }

    /** Translates one transaction; see {@link TransactionPath}. */
    long translate(String device, int sid, long busAddr, AccessType access) {
        synchronized (state) {
            return path.translate(device, sid, busAddr, access);
        }
    }

    /** Translates a run of blocks of one access under one hold of the lock; see {@link TransactionPath#translateRun}. */
    int translateRun(String device, int sid, long busAddr, AccessType access, long[] frames, int count, int shift) {
        synchronized (state) {
            return path.translateRun(device, sid, busAddr, access, frames, count, shift);
        }
    }

    /** While set, TLB syncs never complete (SACTIVE/GSACTIVE stay set). */
    public void setSyncStuck(boolean stuck) {
        synchronized (state) {
            state.syncStuck = stuck;
        }
    }

    /**
     * Turns on the Qualcomm SMMU-500 erratum: block translations are cached page by page and a
     * TLBIVA/TLBIVAL removes only the page at its address. Set it before any traffic.
     */
    public void setBasePageTlbiErratum(boolean on) {
        synchronized (state) {
            walk.basePageErratum = on;
        }
    }

    /** Instrumentation of bank {@code bank}: TLB and walk cache occupancy and counters. */
    public ContextStats stats(int bank) {
        synchronized (state) {
            ContextBank b = state.banks[bank];
            return new ContextStats(b.tlb.hits(), b.tlb.misses(), b.staleHits, b.invalidations, b.tlb.size(),
                    b.walks.size(), b.pending.size());
        }
    }

    /** Counters and occupancy of one context bank's TLB, for tests and statistics. */
    public record ContextStats(long hits, long misses, long staleHits, long invalidations, int tlbEntries,
            int walkCacheEntries, int pendingInvalidations) {
    }
}
