package org.iommulab.platform.internal.dma;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.iommulab.api.checker.Finding;
import org.iommulab.api.dma.CoherentAllocation;
import org.iommulab.api.dma.DmaApi;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.dma.DmaMasks;
import org.iommulab.api.dma.DmaUsageException;
import org.iommulab.api.dma.SgTable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Misuse (unmapping or syncing what is not mapped, with another size, direction, count or
 * function) is refused with dma-debug's words before anything reaches the backend, logged in
 * the device's log, and changes nothing.
 */
class DeviceDmaApiMisuseTest {
    private static final long PAGE = DmaApiFixture.PAGE;
    private static final DmaDirection TO = DmaDirection.TO_DEVICE;
    private static final DmaDirection FROM = DmaDirection.FROM_DEVICE;
    private static final DmaDirection BIDI = DmaDirection.BIDIRECTIONAL;

    private final DmaApiFixture f = new DmaApiFixture(0x10_0000_0000L);
    private final DmaApi api = f.api;

    /**
     * Runs a misuse, checks the exception's message is exactly {@code message}, that nothing
     * changed, and that the checker raised it first as a finding with the device in its message.
     */
    private void refused(String message, Executable call) {
        DmaApiFixture.State before = f.state();
        int findingsBefore = f.platform.findings().size();
        long countBefore = f.findingCount();
        DmaUsageException e = assertThrows(DmaUsageException.class, call);
        assertEquals(message, e.getMessage());
        before.assertSame(f.state(), message);
        assertTrue(f.log().contains("dev0: " + message), "logged: " + f.log());
        List<Finding> raised = f.platform.findings().subList(findingsBefore, f.platform.findings().size());
        assertFalse(raised.isEmpty(), "a finding for " + message);
        assertEquals("DMA-API: dev0: " + message.substring("DMA-API: ".length()), raised.get(0).message());
        assertEquals(countBefore + raised.size(), f.findingCount());
        assertEquals(1, f.log().stream().filter(l -> l.equals("dev0: " + message)).count(), "logged once: " + f.log());
    }

    /**
     * A misuse that is the model's own rule, with no {@link org.iommulab.api.checker.FindingKind}
     * (Linux says nothing): refused and logged, no finding.
     */
    private void refusedWithoutFinding(String message, Executable call) {
        DmaApiFixture.State before = f.state();
        int findingsBefore = f.platform.findings().size();
        DmaUsageException e = assertThrows(DmaUsageException.class, call);
        assertEquals(message, e.getMessage());
        before.assertSame(f.state(), message);
        assertTrue(f.log().contains("dev0: " + message), "logged: " + f.log());
        assertEquals(findingsBefore, f.platform.findings().size());
    }

    @Test
    void unmapOfSomethingNeverMapped() {
        long dma = api.mapPhys(f.page(), PAGE, TO, 0);
        refused(String.format("DMA-API: device driver tries to free DMA memory it has not allocated [device address=0x%016x] [size=4096 bytes]", dma + PAGE),
                () -> api.unmapPhys(dma + PAGE, PAGE, TO, 0));
        refused("DMA-API: device driver tries to free an invalid DMA memory address",
                () -> api.unmapPage(DmaMasks.MAPPING_ERROR, PAGE, TO, 0));
        refused(String.format("DMA-API: device driver tries to free DMA memory it has not allocated [device address=0x%016x] [size=64 bytes]", dma + 64),
                () -> api.unmapPhys(dma + 64, 64, TO, 0));
    }

    @Test
    void unmapWithAnotherSizeDirectionOrFunction() {
        long dma = api.mapPhys(f.page(), PAGE, TO, 0);
        refused(String.format("DMA-API: device driver frees DMA memory with different size [device address=0x%016x] [map size=4096 bytes] [unmap size=2048 bytes]", dma),
                () -> api.unmapPhys(dma, 2048, TO, 0));
        refused(String.format("DMA-API: device driver frees DMA memory with different direction [device address=0x%016x] [size=4096 bytes] [mapped with DMA_TO_DEVICE] [unmapped with DMA_FROM_DEVICE]", dma),
                () -> api.unmapPage(dma, PAGE, FROM, 0));
        refused(String.format("DMA-API: device driver frees DMA memory with wrong function [device address=0x%016x] [size=4096 bytes] [mapped as single] [unmapped as phy]", dma),
                () -> api.unmapResource(dma, PAGE, TO, 0));
        refused(String.format("DMA-API: device driver frees DMA memory with wrong function [device address=0x%016x] [size=4096 bytes] [mapped as single] [unmapped as coherent]", dma),
                () -> api.freeCoherent(PAGE, 0, dma));
        api.unmapPage(dma, PAGE, TO, 0);
        assertEquals(0, f.platform.liveMappings("dev0"));
    }

    @Test
    void sgUnmapWithAnotherCountOrDirectionOrNeverMapped() {
        SgTable sg = SgTable.of(new long[] {f.page(), f.page(), f.page()}, new int[] {100, 200, 300});
        SgTable never = SgTable.of(new long[] {f.page()}, new int[] {64});
        refused("DMA-API: device driver tries to free an invalid DMA memory address", () -> api.unmapSg(never, 1, TO, 0));
        assertEquals(3, api.mapSg(sg, 3, FROM, 0));
        refused("DMA-API: device driver frees DMA sg list with different entry count [map count=3] [unmap count=2]",
                () -> api.unmapSg(sg, 2, FROM, 0));
        refused(String.format("DMA-API: device driver frees DMA memory with different direction [device address=0x%016x] [size=600 bytes] [mapped with DMA_FROM_DEVICE] [unmapped with DMA_TO_DEVICE]",
                sg.dmaAddress(0)), () -> api.unmapSgtable(sg, TO, 0));
        refused(String.format("DMA-API: device driver maps an sg table that is already mapped [device address=0x%016x] [nents=3]; unmap it first",
                sg.dmaAddress(0)), () -> api.mapSgtable(sg, FROM, 0));
        api.unmapSgtable(sg, FROM, 0);
        assertEquals(0, sg.nents());
        refused(String.format("DMA-API: device driver tries to free DMA memory it has not allocated [device address=0x%016x] [size=600 bytes]",
                sg.dmaAddressField(0)), () -> api.unmapSg(sg, 3, FROM, 0));
    }

    @Test
    void syncOutsideTheMappingOrNotAllocatedOrInAnotherDirection() {
        long dma = api.mapPhys(f.page(), PAGE, TO, 0);
        refused(String.format("DMA-API: device driver syncs DMA memory outside allocated range [device address=0x%016x] [allocation size=4096 bytes] [sync offset+size=4200]", dma),
                () -> api.syncSingleRangeForCpu(dma, 4000, 200, TO));
        refused(String.format("DMA-API: device driver tries to sync DMA memory it has not allocated [device address=0x%016x] [size=8 bytes]", dma + PAGE),
                () -> api.syncSingleForDevice(dma + PAGE, 8, TO));
        refused(String.format("DMA-API: device driver syncs DMA memory with different direction [device address=0x%016x] [size=4096 bytes] [mapped with DMA_TO_DEVICE] [synced with DMA_FROM_DEVICE]", dma + 16),
                () -> api.syncSingleForCpu(dma + 16, 32, FROM));
        // Inside the mapping, with its direction: passes, and reaches the backend with the inner address.
        api.syncSingleRangeForDevice(dma, 100, 200, TO);
        assertTrue(f.backend.calls().contains(String.format("syncSingleForDevice dev0 0x%x 200 TO_DEVICE", dma + 100)));
    }

    @Test
    void aBidirectionalMappingSyncsInEitherDirection() {
        long dma = api.mapPhys(f.page(), PAGE, BIDI, 0);
        api.syncSingleForCpu(dma, PAGE, FROM);
        api.syncSingleForDevice(dma, PAGE, TO);
        assertEquals(2, f.platform.stats("dev0").get(org.iommulab.api.admin.Stat.SYNCS));
    }

    @Test
    void sgSyncWithAnotherCountOrNeverMapped() {
        SgTable sg = SgTable.of(new long[] {f.page(), f.page()}, new int[] {64, 64});
        refused("DMA-API: device driver tries to sync DMA memory it has not allocated [device address=0xffffffffffffffff] [size=128 bytes]",
                () -> api.syncSgForCpu(sg, 2, TO));
        assertEquals(0, api.mapSgtable(sg, TO, 0));
        refused("DMA-API: device driver syncs DMA sg list with different entry count [map count=2] [sync count=1]",
                () -> api.syncSgForDevice(sg, 1, TO));
        refused(String.format("DMA-API: device driver syncs DMA memory with different direction [device address=0x%016x] [size=128 bytes] [mapped with DMA_TO_DEVICE] [synced with DMA_FROM_DEVICE]",
                sg.dmaAddress(0)), () -> api.syncSgtableForCpu(sg, FROM));
        api.syncSgtableForDevice(sg, TO);
        api.unmapSgtable(sg, TO, 0);
    }

    @Test
    void coherentFreeWithAnotherSizeOrCpuAddressOrNeverAllocated() {
        CoherentAllocation c = api.allocCoherent(3 * PAGE);
        refused(String.format("DMA-API: device driver frees DMA memory with different size [device address=0x%016x] [map size=12288 bytes] [unmap size=4096 bytes]", c.dmaHandle()),
                () -> api.freeCoherent(PAGE, c.cpuAddress(), c.dmaHandle()));
        refused(String.format("DMA-API: device driver frees DMA memory with different CPU address [device address=0x%016x] [size=12288 bytes] [cpu alloc address=0x%x] [cpu free address=0x%x]",
                c.dmaHandle(), c.cpuAddress(), c.cpuAddress() + 64), () -> api.freeCoherent(3 * PAGE, c.cpuAddress() + 64, c.dmaHandle()));
        refused(String.format("DMA-API: device driver tries to free DMA memory it has not allocated [device address=0x%016x] [size=12288 bytes]", c.dmaHandle() + PAGE),
                () -> api.freeCoherent(3 * PAGE, c.cpuAddress(), c.dmaHandle() + PAGE));
        refusedWithoutFinding(String.format("DMA-API: device driver syncs coherent DMA memory, which is never synced [device address=0x%016x] [size=64 bytes]", c.dmaHandle()),
                () -> api.syncSingleForCpu(c.dmaHandle(), 64, BIDI));
        refused(String.format("DMA-API: device driver frees DMA memory with wrong function [device address=0x%016x] [size=12288 bytes] [mapped as coherent] [unmapped as single]", c.dmaHandle()),
                () -> api.unmapPhys(c.dmaHandle(), 3 * PAGE, BIDI, 0));
        api.freeCoherent(c);
        assertEquals(0, f.platform.liveMappings("dev0"));
    }

    @Test
    void twoMappingsAtOneAddressAreMatchedByBestFit() {
        // An identity-style backend maps the same buffer twice to the same address.
        long p = f.page();
        long d1 = api.mapPhys(p, PAGE, TO, 0);
        long d2 = api.mapPhys(p, 64, FROM, 0);
        assertEquals(d1, d2);
        api.unmapPhys(d2, 64, FROM, 0);
        api.syncSingleForCpu(d1, PAGE, TO);
        api.unmapPhys(d1, PAGE, TO, 0);
        assertEquals(0, f.platform.liveMappings("dev0"));
    }
}
