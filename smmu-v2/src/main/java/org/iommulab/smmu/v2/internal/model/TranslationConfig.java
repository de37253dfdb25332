package org.iommulab.smmu.v2.internal.model;

import org.iommulab.iopgtable.lpae.LpaeTranslationConfig;

/**
 * One context bank decoded (CBAR, CBA2R, SCTLR, TCR/TCR2 or VTCR, TTBR0, and for a nested
 * context its stage-2 bank): what the walker and the TLB consume on every transaction. A
 * decode that fails yields a config carrying the fault to raise instead. Immutable.
 *
 * @param bank the context bank the stream maps to
 * @param s2Bank the stage-2 context bank of a nested context, else -1
 * @param vmid the VMID tagging TLB entries (16-bit with sCR0.VMID16EN, else CBAR.VMID)
 * @param asid the ASID tagging stage-1 entries, or -1 without stage 1
 * @param s1 stage-1 walk format, or null (no stage 1, or SCTLR.M clear)
 * @param s2 stage-2 walk format, or null
 * @param stage2Fault CBAR.TYPE "stage 1 with stage-2 fault": every translation faults after stage 1
 * @param walksDisabled TCR.EPD0: a TLB miss faults instead of walking TTBR0
 * @param leafShifts bit {@code s} set for each block size {@code 2^s} a leaf can have
 * @param error the fault to raise for every transaction, or null
 * @param errorDetail why, in the model's words
 */
record TranslationConfig(int bank, int s2Bank, int vmid, int asid, LpaeTranslationConfig s1, LpaeTranslationConfig s2,
        boolean stage2Fault, boolean walksDisabled, long leafShifts, FaultReason error, String errorDetail) {

    /** A context that passes transactions through untranslated. */
    static TranslationConfig bypass(int bank, int vmid) {
        return new TranslationConfig(bank, -1, vmid, -1, null, null, false, false, 0, null, null);
    }

    /** A context whose every transaction raises {@code reason}. */
    static TranslationConfig failed(int bank, int vmid, FaultReason reason, String detail) {
        return new TranslationConfig(bank, -1, vmid, -1, null, null, false, false, 0, reason, detail);
    }

    boolean bypasses() {
        return error == null && s1 == null && s2 == null && !stage2Fault;
    }

    /** The kind of TLB entry this context fills. */
    EntryKind entryKind() {
        if (s1 != null && s2 != null) {
            return EntryKind.NESTED;
        }
        return s1 != null ? EntryKind.STAGE1 : EntryKind.STAGE2;
    }
}
