package org.iommulab.iopgtable;

import org.iommulab.api.platform.AccessType;
import org.iommulab.iopgtable.lpae.LpaeFault;
import org.iommulab.iopgtable.lpae.LpaeStage;
import org.iommulab.iopgtable.lpae.LpaeTranslationConfig;
import org.iommulab.iopgtable.lpae.LpaeWalkResult;
import org.iommulab.iopgtable.lpae.LpaeWalker;

/**
 * The descriptor reader of a nested stage-1 walk: stage-1 table addresses are IPAs, so each
 * fetch first goes through a stage-2 walk over the real memory, then reads the descriptor at
 * the PA, as a nested SMMU does (QEMU's {@code smmu_ptw_64_s1} through
 * {@code translate_table_addr_ipa}, {@code hw/arm/smmu-common.c}).
 *
 * <p>A stage-2 fault on a fetch is recorded here ({@link #stage2Fault()} with its level, the
 * IPA, and the stage-2 descriptor address of a stage-2 abort) and the stage-1 walk fails with
 * WALK_EABT; the model then reports the stage-2 fault the way its architecture does (SMMUv3: an
 * event with S2 = 1, CLASS = TT and the IPA; SMMUv2: the stage-2 bank's FSR with FSYNR0.PTWF).
 * A WALK_EABT with no stage-2 fault is a stage-1 fetch whose PA reached no memory: its fetch
 * address is {@link #lastPa()}. The last IPA-to-PA translation is cached for the walk.
 *
 * <p>Call {@link #begin} before each stage-1 walk. Not thread-safe: one per walking thread (the
 * models use it under their lock); allocation-free.
 */
public final class NestedDescriptorReader implements DescriptorReader {
    private final DescriptorReader memory;
    private final LpaeWalker stage2;
    private final LpaeWalkResult result = new LpaeWalkResult();
    private LpaeTranslationConfig config;
    private long lastIpa = -1;
    private long lastPa = -1;
    private LpaeFault fault;
    private int faultLevel;
    private long faultIpa;
    private long faultDescriptorAddress;

    /** Reads descriptors, the stage-2 ones and the translated stage-1 ones, from {@code memory}. */
    public NestedDescriptorReader(DescriptorReader memory) {
        if (memory == null) {
            throw new IllegalArgumentException("a nested reader needs the memory its walks read");
        }
        this.memory = memory;
        this.stage2 = new LpaeWalker(memory);
    }

    /**
     * Prepares for one stage-1 walk whose table addresses are IPAs of {@code stage2}: forgets the
     * last translation and fault.
     *
     * @throws IllegalArgumentException when {@code stage2} is null or not a stage-2 regime
     */
    public void begin(LpaeTranslationConfig stage2) {
        if (stage2 == null || stage2.stage() != LpaeStage.STAGE2) {
            throw new IllegalArgumentException("a nested walk reads its tables through a stage-2 regime, got " + stage2);
        }
        config = stage2;
        lastIpa = -1;
        lastPa = -1;
        fault = null;
    }

    /**
     * The descriptor at IPA {@code ipa}: stage 2 translates it (a read), then the PA is read.
     *
     * @throws DescriptorFetchAbort on a stage-2 fault (recorded) or a PA that reaches no memory
     */
    @Override
    public long readDescriptor(long ipa) {
        if (config == null) {
            throw new IllegalStateException("begin(stage2) was not called before the walk");
        }
        if (ipa != lastIpa) {
            // An AF update the stage-2 walk may ask for (HA) is not made: descriptor fetches
            // only read, and no model here enables HA.
            if (!stage2.walk(config, ipa, AccessType.READ, false, result)) {
                fault = result.fault();
                faultLevel = result.level();
                faultIpa = ipa;
                faultDescriptorAddress = result.descriptorAddress();
                throw DescriptorFetchAbort.INSTANCE;
            }
            lastIpa = ipa;
            lastPa = result.outputAddress();
        }
        return memory.readDescriptor(lastPa);
    }

    /** The stage-2 fault the walk met on a descriptor fetch since {@link #begin}, or null. */
    public LpaeFault stage2Fault() {
        return fault;
    }

    /** The level of the stage-2 walk where {@link #stage2Fault()} arose. */
    public int stage2FaultLevel() {
        return faultLevel;
    }

    /** The IPA of the stage-1 descriptor whose stage-2 translation faulted. */
    public long stage2FaultIpa() {
        return faultIpa;
    }

    /**
     * The physical address of the stage-2 descriptor last read by the faulting stage-2 walk
     * (the fetch address of a stage-2 WALK_EABT).
     */
    public long stage2FaultDescriptorAddress() {
        return faultDescriptorAddress;
    }

    /**
     * The PA of the last successful stage-2 translation since {@link #begin}, or -1: the fetch
     * address of a stage-1 WALK_EABT that was not a stage-2 fault.
     */
    public long lastPa() {
        return lastPa;
    }
}
