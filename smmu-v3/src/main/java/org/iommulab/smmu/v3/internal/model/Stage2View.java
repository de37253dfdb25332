package org.iommulab.smmu.v3.internal.model;

import java.util.List;

import org.iommulab.api.platform.MemoryRegion;
import org.iommulab.api.platform.PhysicalMemory;
import org.iommulab.smmu.v3.internal.format.EventFormat;
import org.iommulab.smmu.v3.internal.model.ste.Stage2Config;
import org.iommulab.smmu.v3.internal.model.ste.Stage2Walk;

/**
 * The IPA space a nested stream's stage-1 walk reads its descriptors from: each descriptor
 * address goes through stage 2 (CLASS = TT on a stage-2 fault, which propagates out of the
 * walk as an {@link org.iommulab.smmu.v3.internal.model.fault.SmmuFault}) before the physical
 * read. The shared {@link org.iommulab.iopgtable.lpae.LpaeWalker} reads only through
 * {@link #isRam} and {@link #readLong}; everything else is refused. Remembers the last PA, the
 * FetchAddr of an F_WALK_EABT on a stage-1 descriptor. Set up per walk, under the model's lock.
 */
final class Stage2View implements PhysicalMemory {
    private final SmmuMemory memory;
    private final Stage2Walk walk;
    private Stage2Config s2;
    private long lastIpa = -1;
    private long lastPa = -1;

    Stage2View(SmmuMemory memory, Stage2Walk walk) {
        this.memory = memory;
        this.walk = walk;
    }

    void use(Stage2Config config) {
        s2 = config;
        lastIpa = -1;
        lastPa = -1;
    }

    /** The PA of the last descriptor IPA translated. */
    long lastPa() {
        return lastPa;
    }

    private long pa(long ipa) {
        if (ipa != lastIpa) {
            lastPa = walk.translate(s2, ipa, EventFormat.CLASS_TT);
            lastIpa = ipa;
        }
        return lastPa;
    }

    @Override
    public boolean isRam(long addr, long len) {
        return memory.reachable(pa(addr), len);
    }

    @Override
    public long readLong(long addr) {
        return memory.memory().readLong(pa(addr));
    }

    @Override
    public List<MemoryRegion> regions() {
        throw refused();
    }

    @Override
    public void copy(long src, long dst, long len) {
        throw refused();
    }

    @Override
    public long backedBytes() {
        throw refused();
    }

    @Override
    public byte readByte(long addr) {
        throw refused();
    }

    @Override
    public void writeByte(long addr, byte value) {
        throw refused();
    }

    @Override
    public int readInt(long addr) {
        throw refused();
    }

    @Override
    public void writeInt(long addr, int value) {
        throw refused();
    }

    @Override
    public void writeLong(long addr, long value) {
        throw refused();
    }

    @Override
    public void read(long addr, byte[] dst, int off, int len) {
        throw refused();
    }

    @Override
    public void write(long addr, byte[] src, int off, int len) {
        throw refused();
    }

    @Override
    public void fill(long addr, long len, byte value) {
        throw refused();
    }

    private static UnsupportedOperationException refused() {
        return new UnsupportedOperationException("a stage-1 walk only reads descriptors through stage 2");
    }
}
