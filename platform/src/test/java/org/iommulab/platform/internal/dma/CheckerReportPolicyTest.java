package org.iommulab.platform.internal.dma;

import static org.iommulab.platform.internal.dma.CheckerFixture.PAGE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.iommulab.api.checker.CheckerPolicy;
import org.iommulab.api.checker.FindingKind;
import org.iommulab.api.dma.CoherentAllocation;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.dma.DmaUsageException;
import org.iommulab.api.dma.SgTable;
import org.iommulab.platform.internal.checker.CheckerSettings;
import org.junit.jupiter.api.Test;

/**
 * {@code checker.policy = report}: what Linux's dma-debug does. check_unmap and check_sync print
 * their errors, then {@code dma_unmap_page_attrs} and friends carry on with the caller's
 * arguments: a wrong-size unmap still unmaps (with the wrong size), a sync outside the mapping
 * still syncs. A call that names no live mapping is reported and has nothing to carry out. The
 * default policy, refuse, throws and changes nothing (DeviceDmaApiMisuseTest).
 */
class CheckerReportPolicyTest {
    private final CheckerFixture f = new CheckerFixture();

    CheckerReportPolicyTest() {
        f.platform.setCheckerPolicy("dev0", CheckerPolicy.REPORT);
    }

    @Test
    void theDefaultIsRefuseAndThePolicyIsPerDeviceAndConfigurable() {
        CheckerFixture refuse = new CheckerFixture();
        assertEquals(CheckerPolicy.REFUSE, refuse.platform.checkerPolicy("dev0"));
        long dma = refuse.map(refuse.page(), PAGE, DmaDirection.TO_DEVICE);
        assertThrows(DmaUsageException.class, () -> refuse.api.unmapPhys(dma, 64, DmaDirection.TO_DEVICE, 0));
        assertEquals(1, refuse.platform.liveMappings("dev0"), "refused: nothing changed");
        CheckerFixture configured = new CheckerFixture(new CheckerSettings(true, false, CheckerPolicy.REPORT),
                CheckerFixture.device().build(), false);
        assertEquals(CheckerPolicy.REPORT, configured.platform.checkerPolicy("dev0"));
        assertThrows(IllegalArgumentException.class, () -> f.platform.setCheckerPolicy("nope", CheckerPolicy.REPORT));
    }

    @Test
    void aWrongSizeUnmapIsReportedThenCarriedOutWithTheCallersSize() {
        long dma = f.map(f.page(), 2 * PAGE, DmaDirection.FROM_DEVICE);
        f.api.unmapPhys(dma, PAGE, DmaDirection.FROM_DEVICE, 0);
        f.only(FindingKind.UNMAP_SIZE_MISMATCH);
        assertEquals(0, f.platform.liveMappings("dev0"), "the mapping is gone, as Linux's is");
        assertEquals(String.format("unmapPhys dev0 0x%x %d FROM_DEVICE", dma, PAGE), last(f.backend.calls("unmapPhys")),
                "the backend unmapped what the driver said");
    }

    @Test
    void aDirectionOrFunctionMismatchIsCarriedOutByTheFunctionTheDriverCalled() {
        long dma = f.map(f.page(), PAGE, DmaDirection.TO_DEVICE);
        f.api.unmapPhys(dma, PAGE, DmaDirection.FROM_DEVICE, 0);
        f.only(FindingKind.UNMAP_DIRECTION_MISMATCH);
        assertEquals(String.format("unmapPhys dev0 0x%x %d FROM_DEVICE", dma, PAGE), last(f.backend.calls("unmapPhys")));
        long dma2 = f.map(f.page(), PAGE, DmaDirection.TO_DEVICE);
        f.api.unmapResource(dma2, PAGE, DmaDirection.TO_DEVICE, 0);
        f.only(FindingKind.UNMAP_WRONG_FUNCTION);
        assertEquals(1, f.backend.calls("unmapResource").size(), "dma_unmap_resource was what the driver called");
        assertEquals(0, f.platform.liveMappings("dev0"));
    }

    @Test
    void anUnmapOfNothingIsReportedAndDoesNothing() {
        int before = f.backend.calls().size();
        f.api.unmapPhys(0x1234_5000L, PAGE, DmaDirection.TO_DEVICE, 0);
        f.only(FindingKind.UNMAP_NOT_MAPPED);
        assertEquals(before, f.backend.calls().size(), "nothing to carry out");
    }

    @Test
    void aSyncOutsideTheMappingIsReportedThenCarriedOut() {
        long dma = f.map(f.page(), PAGE, DmaDirection.FROM_DEVICE);
        f.api.syncSingleForCpu(dma + PAGE - 16, 64, DmaDirection.FROM_DEVICE);
        f.only(FindingKind.SYNC_OUT_OF_RANGE);
        assertEquals(String.format("syncSingleForCpu dev0 0x%x 64 FROM_DEVICE", dma + PAGE - 16),
                last(f.backend.calls("syncSingleForCpu")));
    }

    @Test
    void anSgUnmapWithAnotherCountIsCarriedOut() {
        SgTable sg = SgTable.of(new long[] {f.page(), f.page()}, new int[] {512, 512});
        f.api.mapSg(sg, 2, DmaDirection.TO_DEVICE, 0);
        f.api.unmapSg(sg, 1, DmaDirection.TO_DEVICE, 0);
        f.only(FindingKind.UNMAP_SG_COUNT_MISMATCH);
        assertEquals("unmapSg dev0 1 TO_DEVICE", last(f.backend.calls("unmapSg")));
        assertEquals(0, f.platform.liveMappings("dev0"));
        assertEquals(0, sg.nents(), "the table can be mapped again");
    }

    @Test
    void aCoherentFreeWithTheWrongSizeFreesTheBuffer() {
        CoherentAllocation c = f.api.allocCoherent(PAGE, 0);
        f.api.freeCoherent(PAGE / 2, c.cpuAddress(), c.dmaHandle());
        f.only(FindingKind.UNMAP_SIZE_MISMATCH);
        assertEquals(0, f.platform.liveMappings("dev0"));
        assertEquals(1, f.backend.calls("freeCoherent").size());
    }

    private static String last(List<String> calls) {
        assertTrue(!calls.isEmpty());
        return calls.get(calls.size() - 1);
    }
}
