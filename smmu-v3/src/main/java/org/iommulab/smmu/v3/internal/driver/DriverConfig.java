package org.iommulab.smmu.v3.internal.driver;

import org.iommulab.iopgtable.lpae.LpaeGranule;

/**
 * How the driver sets the SMMU up: stream table format, the stage its DMA domains translate
 * with (stage 1, stage 2, or stage 1 nested over an identity stage 2 that stands for a
 * hypervisor's), their granule and input size, queue sizes, and how CMD_SYNC completion is
 * awaited. Immutable; {@link #validate()} names the first value that is wrong.
 */
public final class DriverConfig {
    /** The translation a DMA domain uses. */
    public enum Stage {
        S1,
        S2,
        NESTED
    }

    final boolean twoLevelStreamTable;
    final Stage stage;
    final LpaeGranule granule;
    final int ias;
    final int cmdqLog2;
    final int evtqLog2;
    final boolean msiPoll;

    /**
     * @param twoLevelStreamTable 2-level (Linux's choice when IDR0.ST_LEVEL allows) or linear
     * @param ias input address size of stage-1 domains (stage 2 uses the SMMU's IAS)
     * @param cmdqLog2 requested command queue size, capped by IDR1.CMDQS (more than 64 entries)
     * @param evtqLog2 requested event queue size, capped by IDR1.EVENTQS
     * @param msiPoll await CMD_SYNC by its MSI (Linux's MSIPOLL) rather than by SEV and CONS
     */
    public DriverConfig(boolean twoLevelStreamTable, Stage stage, LpaeGranule granule, int ias, int cmdqLog2,
            int evtqLog2, boolean msiPoll) {
        this.twoLevelStreamTable = twoLevelStreamTable;
        this.stage = stage;
        this.granule = granule;
        this.ias = ias;
        this.cmdqLog2 = cmdqLog2;
        this.evtqLog2 = evtqLog2;
        this.msiPoll = msiPoll;
        validate();
    }

    /** Linux's defaults: 2-level table, stage 1, 4 KiB pages, 48-bit IOVAs, MSI polling. */
    public static DriverConfig defaults() {
        return new DriverConfig(true, Stage.S1, LpaeGranule.G4K, 48, 8, 8, true);
    }

    private void validate() {
        if (stage == null || granule == null) {
            throw new IllegalArgumentException("driver config needs a stage and a granule");
        }
        if (ias < 32 || ias > 48) {
            throw new IllegalArgumentException("IAS must be 32..48 bits, got " + ias);
        }
        if (cmdqLog2 < 7 || cmdqLog2 > 19) {
            throw new IllegalArgumentException("command queue LOG2SIZE must be 7..19 (more than "
                    + CommandQueue.BATCH_ENTRIES + " entries, as Linux requires), got " + cmdqLog2);
        }
        if (evtqLog2 < 1 || evtqLog2 > 19) {
            throw new IllegalArgumentException("event queue LOG2SIZE must be 1..19, got " + evtqLog2);
        }
    }

    @Override
    public String toString() {
        return String.format("%s stream table, %s domains, %s, IAS %d, cmdq 2^%d, evtq 2^%d, %s",
                twoLevelStreamTable ? "2-level" : "linear", stage, granule, ias, cmdqLog2, evtqLog2,
                msiPoll ? "MSI polling" : "SEV polling");
    }
}
