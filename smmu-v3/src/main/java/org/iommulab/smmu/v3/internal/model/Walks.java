package org.iommulab.smmu.v3.internal.model;

import org.iommulab.api.platform.AccessType;
import org.iommulab.api.platform.FaultKind;
import org.iommulab.api.platform.FaultOrigin;
import org.iommulab.iopgtable.DescriptorReader;
import org.iommulab.iopgtable.NestedDescriptorReader;
import org.iommulab.iopgtable.lpae.LpaeFault;
import org.iommulab.iopgtable.lpae.LpaeWalkResult;
import org.iommulab.iopgtable.lpae.LpaeWalker;
import org.iommulab.smmu.v3.internal.format.EventFormat;
import org.iommulab.smmu.v3.internal.model.fault.SmmuFault;
import org.iommulab.smmu.v3.internal.model.ste.Stage1Config;
import org.iommulab.smmu.v3.internal.model.ste.Stage2Config;
import org.iommulab.smmu.v3.internal.model.ste.Stage2Walk;

/**
 * The table walks of one SMMU, through io-pgtable's shared {@link LpaeWalker}: stage 1, stage 2,
 * and stage 1 nested over stage 2, whose descriptor fetches go through io-pgtable's
 * {@link NestedDescriptorReader} (a stage-2 walk per fetch; a stage-2 fault there is reported
 * here as the stage-2 event it is).
 * Turns the walker's {@link LpaeFault}s into SMMUv3 events with the stage, CLASS and address
 * IHI0070 §7.3.12-16 prescribe: a stage-1 fault is S2 = 0, CLASS = IN (CLASS = TT for
 * F_WALK_EABT on a stage-1 descriptor); a stage-2 fault is S2 = 1 with the IPA and CLASS = CD,
 * TT or IN for what was being translated (QEMU's "Fix encoding of CLASS in events", 2024).
 * Results are reused, so a walk allocates nothing unless it faults. Used under the model's lock.
 */
final class Walks implements Stage2Walk {
    private final LpaeWalker walker;
    private final LpaeWalker nestedWalker;
    private final NestedDescriptorReader nested;
    final LpaeWalkResult s1 = new LpaeWalkResult();
    final LpaeWalkResult s2 = new LpaeWalkResult();
    private final LpaeWalkResult desc = new LpaeWalkResult();

    Walks(SmmuMemory memory) {
        // Descriptors below 2^OAS only: every table address a walk reaches has passed the
        // walker's output-size check, and the decoders clamp the output sizes to the SMMU's OAS.
        DescriptorReader phys = DescriptorReader.of(memory.memory());
        walker = new LpaeWalker(phys);
        nested = new NestedDescriptorReader(phys);
        nestedWalker = new LpaeWalker(nested);
    }

    /**
     * Walks stage 1 for {@code va}; the result is in {@link #s1}. With {@code nestedS2} the table
     * addresses are IPAs translated through it.
     */
    void stage1(Stage1Config cfg, Stage2Config nestedS2, long va, AccessType access) {
        int half = cfg.select(va);
        if (half < 0) {
            throw SmmuFault.walk(EventFormat.F_TRANSLATION, cfg.recordFaults(),
                    FaultKind.TRANSLATION, FaultOrigin.ACCESS, 0, false, EventFormat.CLASS_IN, 0,
                    String.format("VA 0x%x is outside the TTB0/TTB1 input ranges or in a disabled half (EPDx)", va));
        }
        boolean ok;
        if (nestedS2 != null) {
            nested.begin(nestedS2.tables());
            ok = nestedWalker.walk(cfg.regime(half), cfg.walkInput(va, half), access, false, s1);
        } else {
            ok = walker.walk(cfg.regime(half), cfg.walkInput(va, half), access, false, s1);
        }
        if (!ok) {
            LpaeFault f = s1.fault();
            boolean eabt = f == LpaeFault.WALK_EABT;
            if (eabt && nestedS2 != null && nested.stage2Fault() != null) {
                // A stage-2 fault on a stage-1 descriptor fetch: S2 = 1, CLASS = TT, the IPA.
                throw stage2Fault(nestedS2, nested.stage2Fault(), nested.stage2FaultLevel(), nested.stage2FaultIpa(),
                        nested.stage2FaultDescriptorAddress(), EventFormat.CLASS_TT);
            }
            long fetch = eabt ? (nestedS2 != null ? nested.lastPa() : s1.descriptorAddress()) : 0;
            throw fault(f, false, eabt ? EventFormat.CLASS_TT : EventFormat.CLASS_IN, s1.level(), fetch,
                    eabt || cfg.recordFaults(), String.format("stage 1 walk of VA 0x%x", va));
        }
    }

    /** Walks stage 2 for {@code ipa} of the transaction itself (CLASS = IN); the result is in {@link #s2}. */
    void stage2(Stage2Config cfg, long ipa, AccessType access) {
        if (!walker.walk(cfg.tables(), ipa, access, false, s2)) {
            LpaeFault f = s2.fault();
            long a2 = f == LpaeFault.WALK_EABT ? s2.descriptorAddress() : ipa;
            throw fault(f, true, EventFormat.CLASS_IN, s2.level(), a2, f == LpaeFault.WALK_EABT || cfg.recordFaults(),
                    String.format("stage 2 walk of IPA 0x%x", ipa));
        }
    }

    /** Stage 2 for an address the SMMU fetches itself: the CD (CLASS = CD) or a stage-1 descriptor (TT). */
    @Override
    public long translate(Stage2Config cfg, long ipa, int clazz) {
        if (!walker.walk(cfg.tables(), ipa, AccessType.READ, false, desc)) {
            throw stage2Fault(cfg, desc.fault(), desc.level(), ipa, desc.descriptorAddress(), clazz);
        }
        return desc.outputAddress();
    }

    /**
     * The event of a stage-2 fault on an address the SMMU fetches itself: S2 = 1, the CLASS, the
     * IPA (the stage-2 descriptor's address for F_WALK_EABT).
     */
    private static SmmuFault stage2Fault(Stage2Config cfg, LpaeFault f, int level, long ipa, long s2DescriptorAddress,
            int clazz) {
        long a2 = f == LpaeFault.WALK_EABT ? s2DescriptorAddress : ipa;
        return fault(f, true, clazz, level, a2, f == LpaeFault.WALK_EABT || cfg.recordFaults(),
                String.format("stage 2 walk of the %s at IPA 0x%x", clazz == EventFormat.CLASS_CD ? "CD"
                        : "stage-1 descriptor", ipa));
    }

    private static SmmuFault fault(LpaeFault f, boolean stage2, int clazz, int level, long addr2, boolean record,
            String what) {
        int id;
        FaultOrigin origin;
        switch (f) {
            case WALK_EABT:
                id = EventFormat.F_WALK_EABT;
                origin = FaultOrigin.MISPROGRAMMED;
                break;
            case ADDRESS_SIZE:
                id = EventFormat.F_ADDR_SIZE;
                origin = FaultOrigin.MISPROGRAMMED;
                break;
            case ACCESS_FLAG:
                id = EventFormat.F_ACCESS;
                origin = FaultOrigin.ACCESS;
                break;
            case PERMISSION:
                id = EventFormat.F_PERMISSION;
                origin = FaultOrigin.ACCESS;
                break;
            default:
                id = EventFormat.F_TRANSLATION;
                origin = FaultOrigin.ACCESS;
        }
        return SmmuFault.walk(id, record, f.kind(), origin, level, stage2, clazz, addr2,
                what + ": " + f + " fault at level " + level);
    }
}
