package org.iommulab.smmu.v2.internal.model;

import org.iommulab.api.platform.PhysicalMemory;
import org.iommulab.smmu.v2.internal.model.regs.Gr0;

/**
 * Everything one SMMUv2 instance holds: its parameters, the GR0 registers, the context banks
 * and the switches a test turns (a stuck sync engine). The register spaces, the transaction
 * path and the TLB maintenance all work on this object under its monitor, which is the
 * model's single lock. Plain fields, no behaviour.
 */
final class SmmuState {
    final SmmuV2Params params;
    final PhysicalMemory memory;
    final String name;

    // GR0 (IHI0062 Global Address Space 0)
    int scr0;
    long sgfar;
    int sgfsr;
    int sgfsynr0;
    int sgfsynr1;
    int sgfsynr2;
    final int[] smr;
    final int[] s2cr;
    final InvalidationQueue globalPending = new InvalidationQueue();
    final SyncState globalSync = new SyncState();

    final ContextBank[] banks;

    /** Bumped by every write that can change a decoded context (sCR0, GR1, context registers). */
    long generation;

    /** Syncs never complete while set: the deadlock the driver's timeout detects. */
    boolean syncStuck;

    SmmuIrqLines irq = SmmuIrqLines.NONE;

    SmmuState(SmmuV2Params params, PhysicalMemory memory, String name) {
        this.params = params;
        this.memory = memory;
        this.name = name;
        smr = new int[params.smrGroups()];
        s2cr = new int[params.smrGroups()];
        banks = new ContextBank[params.contextBanks()];
        for (int i = 0; i < banks.length; i++) {
            banks[i] = new ContextBank(i, params.tlbEntries());
        }
        reset();
    }

    /**
     * The reset state: sCR0.CLIENTPD set (every stream bypasses until the driver enables the
     * SMMU), SMRs invalid, S2CRs of type fault, context banks disabled. IHI0062 leaves most
     * reset values UNKNOWN; Linux's {@code arm_smmu_device_reset} rewrites all of them anyway.
     */
    void reset() {
        scr0 = 1;
        sgfar = 0;
        sgfsr = 0;
        sgfsynr0 = 0;
        sgfsynr1 = 0;
        sgfsynr2 = 0;
        java.util.Arrays.fill(smr, 0);
        java.util.Arrays.fill(s2cr, (int) Gr0.S2CR_TYPE.of(Gr0.S2CR_TYPE_FAULT));
        generation++;
    }
}
