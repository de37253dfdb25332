package org.iommulab.smmu.v3.internal.driver;

/**
 * Linux {@code struct arm_smmu_cmdq_batch}: commands gathered and issued together, with one
 * CMD_SYNC at {@link #submit}. A full batch ({@link CommandQueue#BATCH_ENTRIES}) is issued
 * without a sync and gathering goes on ({@code arm_smmu_cmdq_batch_add}). Reusable; not
 * thread-safe (its owner holds a lock).
 */
final class CommandBatch {
    private final CommandQueue cmdq;
    private final long[] cmds = new long[2 * CommandQueue.BATCH_ENTRIES];
    private final long[] one = new long[2];
    private int num;
    private long issued;

    CommandBatch(CommandQueue cmdq) {
        this.cmdq = cmdq;
    }

    /** Scratch for a builder in {@link Commands}: fill it, then {@link #addScratch()}. */
    long[] scratch() {
        return one;
    }

    void addScratch() {
        add(one[0], one[1]);
    }

    void add(long d0, long d1) {
        if (num == CommandQueue.BATCH_ENTRIES) {
            cmdq.issue(cmds, num, false);
            num = 0;
        }
        cmds[2 * num] = d0;
        cmds[2 * num + 1] = d1;
        num++;
        issued++;
    }

    /** Linux {@code arm_smmu_cmdq_batch_submit}: issues what is left with a CMD_SYNC and waits. */
    int submit() {
        int rc = cmdq.issue(cmds, num, true);
        num = 0;
        return rc;
    }

    /** Commands added since creation (the domain's IOTLB_INVALIDATIONS count uses it). */
    long issued() {
        return issued;
    }
}
