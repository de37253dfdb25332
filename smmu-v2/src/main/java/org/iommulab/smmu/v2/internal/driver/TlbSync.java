package org.iommulab.smmu.v2.internal.driver;

import org.iommulab.modelkit.regs.Register;

/**
 * Linux {@code __arm_smmu_tlb_sync}: write the sync register, then poll the status register,
 * {@code TLB_SPIN_COUNT} reads at a time with a delay doubling from 1 us up to
 * {@code TLB_LOOP_TIMEOUT} (1 s) between the rounds; give up with "TLB sync timed out -- SMMU
 * may be deadlocked". The delays are simulated (counted, not slept), so a stuck SMMU costs the
 * same bounded number of reads (10 per round, 20 rounds) and no wall-clock time.
 */
final class TlbSync {
    /** Linux {@code TLB_LOOP_TIMEOUT}, in microseconds. */
    static final int TLB_LOOP_TIMEOUT = 1_000_000;
    /** Linux {@code TLB_SPIN_COUNT}. */
    static final int TLB_SPIN_COUNT = 10;
    /** Linux {@code QCOM_DUMMY_VAL}: written to sync registers instead of 0. */
    static final int DUMMY_VAL = -1;
    static final String TIMEOUT_MESSAGE = "TLB sync timed out -- SMMU may be deadlocked";

    private final SmmuIo io;
    private long polls;
    private long simulatedDelayUs;
    private long timeouts;

    TlbSync(SmmuIo io) {
        this.io = io;
    }

    /**
     * Syncs through {@code sync}/{@code status} of page {@code page}.
     *
     * @return true when the SMMU reported completion, false on timeout
     */
    synchronized boolean sync(int page, Register sync, Register status) {
        io.write(page, sync, DUMMY_VAL);
        for (int delay = 1; delay < TLB_LOOP_TIMEOUT; delay *= 2) {
            for (int spin = TLB_SPIN_COUNT; spin > 0; spin--) {
                polls++;
                if ((io.read(page, status) & 1) == 0) {
                    return true;
                }
                Thread.onSpinWait();
            }
            simulatedDelayUs += delay;
        }
        timeouts++;
        return false;
    }

    /** Status reads issued so far. */
    synchronized long polls() {
        return polls;
    }

    /** Microseconds the delays would have taken on hardware. */
    synchronized long simulatedDelayUs() {
        return simulatedDelayUs;
    }

    synchronized long timeouts() {
        return timeouts;
    }
}
