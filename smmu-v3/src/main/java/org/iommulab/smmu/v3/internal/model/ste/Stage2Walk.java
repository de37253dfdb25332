package org.iommulab.smmu.v3.internal.model.ste;

/**
 * Stage-2 translation of an address the SMMU itself fetches in a nested stream (the CD, and
 * stage-1 table descriptors): an IPA to a PA, read access.
 */
@FunctionalInterface
public interface Stage2Walk {
    /**
     * @param clazz {@link org.iommulab.smmu.v3.internal.format.EventFormat#CLASS_CD} or {@code CLASS_TT}
     * @return the PA
     * @throws org.iommulab.smmu.v3.internal.model.fault.SmmuFault a stage-2 fault with that CLASS
     */
    long translate(Stage2Config s2, long ipa, int clazz);
}
