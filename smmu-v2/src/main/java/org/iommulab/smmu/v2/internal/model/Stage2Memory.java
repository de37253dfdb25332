package org.iommulab.smmu.v2.internal.model;

import java.util.List;

import org.iommulab.api.platform.AccessType;
import org.iommulab.api.platform.MemoryRegion;
import org.iommulab.api.platform.PhysicalMemory;
import org.iommulab.iopgtable.lpae.LpaeFault;
import org.iommulab.iopgtable.lpae.LpaeTranslationConfig;
import org.iommulab.iopgtable.lpae.LpaeWalkResult;
import org.iommulab.iopgtable.lpae.LpaeWalker;

/**
 * The memory a nested context's stage-1 walk reads: stage-1 table addresses are IPAs, so each
 * descriptor fetch is first translated by stage 2 (IHI0062 nested translation). The shared
 * walker reads descriptors through {@link #isRam} and {@link #readLong} only; a stage-2 fault
 * on a fetch makes {@code isRam} false, which the stage-1 walk reports as a walk abort, and is
 * kept here for the model to record as a stage-2 fault on a table walk (FSYNR0.PTWF). Only the
 * descriptor reads are supported. Guarded by the model's lock; allocates nothing.
 */
final class Stage2Memory implements PhysicalMemory {
    private final PhysicalMemory memory;
    private final LpaeWalker stage2;
    private final LpaeWalkResult result = new LpaeWalkResult();
    private LpaeTranslationConfig config;
    private long lastIpa = -1;
    private long lastPa;
    private LpaeFault fault;
    private int faultLevel;
    private long faultIpa;

    Stage2Memory(PhysicalMemory memory) {
        this.memory = memory;
        this.stage2 = new LpaeWalker(memory);
    }

    /** Prepares for one stage-1 walk under stage-2 config {@code s2}. */
    void begin(LpaeTranslationConfig s2) {
        config = s2;
        lastIpa = -1;
        fault = null;
    }

    /** The stage-2 fault the last walk met on a descriptor fetch, or null. */
    LpaeFault fault() {
        return fault;
    }

    int faultLevel() {
        return faultLevel;
    }

    long faultIpa() {
        return faultIpa;
    }

    private long translate(long ipa) {
        if (ipa == lastIpa) {
            return lastPa;
        }
        if (!stage2.walk(config, ipa, AccessType.READ, false, result)) {
            fault = result.fault();
            faultLevel = result.level();
            faultIpa = ipa;
            return -1;
        }
        lastIpa = ipa;
        lastPa = result.outputAddress();
        return lastPa;
    }

    @Override
    public boolean isRam(long addr, long len) {
        long pa = translate(addr);
        return pa >= 0 && memory.isRam(pa, len);
    }

    @Override
    public long readLong(long addr) {
        long pa = translate(addr);
        if (pa < 0) {
            throw new IllegalStateException("stage-2 translation of descriptor IPA 0x" + Long.toHexString(addr) + " faulted");
        }
        return memory.readLong(pa);
    }

    @Override
    public void writeLong(long addr, long value) {
        long pa = translate(addr);
        if (pa < 0) {
            throw new IllegalStateException("stage-2 translation of descriptor IPA 0x" + Long.toHexString(addr) + " faulted");
        }
        memory.writeLong(pa, value);
    }

    @Override
    public List<MemoryRegion> regions() {
        return memory.regions();
    }

    private static UnsupportedOperationException onlyDescriptors() {
        return new UnsupportedOperationException("a stage-1 walk through stage 2 only reads 64-bit descriptors");
    }

    @Override
    public void copy(long src, long dst, long len) {
        throw onlyDescriptors();
    }

    @Override
    public long backedBytes() {
        return memory.backedBytes();
    }

    @Override
    public byte readByte(long addr) {
        throw onlyDescriptors();
    }

    @Override
    public void writeByte(long addr, byte value) {
        throw onlyDescriptors();
    }

    @Override
    public int readInt(long addr) {
        throw onlyDescriptors();
    }

    @Override
    public void writeInt(long addr, int value) {
        throw onlyDescriptors();
    }

    @Override
    public void read(long addr, byte[] dst, int off, int len) {
        throw onlyDescriptors();
    }

    @Override
    public void write(long addr, byte[] src, int off, int len) {
        throw onlyDescriptors();
    }

    @Override
    public void fill(long addr, long len, byte value) {
        throw onlyDescriptors();
    }
}
