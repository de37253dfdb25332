package org.iommulab.smmu.v2.internal.model;

import org.iommulab.smmu.v2.internal.model.regs.Gr0;

/**
 * Stream matching (IHI0062 "Stream mapping"; Xilinx QEMU {@code smmu_stream_id_match}): an
 * SMR matches a stream when it is valid and {@code (~MASK & ID) == (~MASK & StreamID)}. No
 * match is an unidentified stream; more than one is a stream match conflict, which the
 * architecture makes a fault rather than a silent pick (and which Linux's
 * {@code arm_smmu_find_sme} exists to prevent).
 */
final class StreamMatcher {
    /** {@link #match}: no SMR matched. */
    static final int NO_MATCH = -1;
    /** {@link #match}: more than one SMR matched. */
    static final int CONFLICT = -2;

    private StreamMatcher() {
    }

    /** The index of the one SMR matching {@code sid}, {@link #NO_MATCH} or {@link #CONFLICT}. */
    static int match(int[] smr, int sid) {
        int found = NO_MATCH;
        for (int i = 0; i < smr.length; i++) {
            int r = smr[i];
            if (!Gr0.SMR_VALID.isSet(r & 0xffff_ffffL)) {
                continue;
            }
            int id = Gr0.SMR_ID.getInt(r);
            int mask = Gr0.SMR_MASK.getInt(r);
            if (((id ^ sid) & ~mask) == 0) {
                if (found != NO_MATCH) {
                    return CONFLICT;
                }
                found = i;
            }
        }
        return found;
    }
}
