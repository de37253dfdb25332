package org.iommulab.smmu.v3.internal.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicInteger;

import org.iommulab.smmu.v3.internal.format.Regs;
import org.iommulab.smmu.v3.internal.model.SmmuV3Features;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Linux's lock-free {@code arm_smmu_cmdq_issue_cmdlist} from several threads at once (CPUs
 * issuing for different devices of one SMMU), in a 256-entry queue that wraps many times and
 * fills: every command is consumed exactly once (IHI0070 §3.5: CONS passes each command once,
 * a CMD_SYNC being one command too), every CMD_SYNC completes (no issue returns -110, no
 * timeout is counted), and the queue ends drained (CONS == PROD). Both ways of awaiting a
 * sync: the MSI into the sync's slot and polling CONS.
 */
class CommandQueueConcurrencyTest {
    private static final int ROUNDS = 3000;

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void threadsIssuingTogetherHaveEveryCommandConsumedOnceAndEverySyncComplete(boolean msiPoll) throws Exception {
        DriverHarness h = DriverHarness.with(SmmuV3Features.Stages.S1, DriverConfig.Stage.S1, true, true, msiPoll);
        CommandQueue q = h.driver.hw().cmdq;
        long consumedBefore = h.model.commandsConsumed();
        long tlbisBefore = h.model.invalidationCommands();
        AtomicInteger failures = new AtomicInteger();
        // Device 1's CPU: one TLBI_NH_ASID and its CMD_SYNC per call (arm_smmu_cmdq_issue_cmd_with_sync).
        long[] asid = new long[2];
        Commands.tlbiNhAsid(asid, 1, 0);
        Thread one = new Thread(() -> {
            for (int i = 0; i < ROUNDS; i++) {
                if (q.issueWithSync(asid[0], asid[1]) != 0) {
                    failures.incrementAndGet();
                }
            }
        });
        // Device 2's CPU: a full batch of 64 CFGI_STEs, then 3 more with a CMD_SYNC (batch_submit).
        long[] batch = new long[2 * CommandQueue.BATCH_ENTRIES];
        long[] ste = new long[2];
        for (int i = 0; i < CommandQueue.BATCH_ENTRIES; i++) {
            Commands.cfgiSte(ste, 0x20 + i);
            batch[2 * i] = ste[0];
            batch[2 * i + 1] = ste[1];
        }
        Thread two = new Thread(() -> {
            for (int i = 0; i < ROUNDS / 10; i++) {
                if (q.issue(batch, CommandQueue.BATCH_ENTRIES, false) != 0 || q.issue(batch, 3, true) != 0) {
                    failures.incrementAndGet();
                }
            }
        });
        // A third CPU: two TLBI_NH_ASIDs and a CMD_SYNC per call.
        long[] two2 = {asid[0], asid[1], asid[0], asid[1]};
        Thread three = new Thread(() -> {
            for (int i = 0; i < ROUNDS; i++) {
                if (q.issue(two2, 2, true) != 0) {
                    failures.incrementAndGet();
                }
            }
        });
        one.start();
        two.start();
        three.start();
        one.join();
        two.join();
        three.join();
        assertEquals(0, failures.get(), "every issue returned 0");
        assertEquals(0, q.timeouts(), "no CMD_SYNC timed out");
        // one: 2 per call; two: 64 + (3 + 1) per round; three: 3 per call.
        long expected = 2L * ROUNDS + (ROUNDS / 10) * (64L + 4) + 3L * ROUNDS;
        assertEquals(expected, h.model.commandsConsumed() - consumedBefore, "each command consumed once");
        assertEquals(ROUNDS + 2L * ROUNDS, h.model.invalidationCommands() - tlbisBefore, "each TLBI run once");
        int prod = h.driver.mmio().read32(Regs.CMDQ_PROD.offset());
        assertEquals(prod, h.driver.mmio().read32(Regs.CMDQ_CONS.offset()), "the queue drained");
    }
}
