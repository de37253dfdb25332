package org.iommulab.smmu.v2.internal.model;

import org.iommulab.smmu.v2.internal.model.regs.Gr0;

/**
 * Each bank's decoded {@link TranslationConfig}, re-decoded when the model's generation moved
 * (a write to sCR0, GR1 or any context register). SMMUv2 has no configuration invalidation:
 * register writes take effect for the next transaction, which is what this models.
 */
final class ConfigCache {
    private final SmmuState state;
    private final ContextDecoder decoder;

    ConfigCache(SmmuState state) {
        this.state = state;
        this.decoder = new ContextDecoder(state.params);
    }

    TranslationConfig get(int bank) {
        ContextBank b = state.banks[bank];
        if (b.decodedAt != state.generation) {
            b.decoded = decoder.decode(state.banks, bank, Gr0.SCR0_VMID16EN.isSet(state.scr0));
            b.decodedAt = state.generation;
        }
        return b.decoded;
    }
}
