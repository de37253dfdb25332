package org.iommulab.platform.internal.dma;

import static org.iommulab.platform.internal.dma.CheckerFixture.PAGE;
import static org.iommulab.platform.internal.dma.CheckerFixture.assertFinding;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.iommulab.api.checker.Finding;
import org.iommulab.api.checker.FindingKind;
import org.iommulab.api.dma.CoherentAllocation;
import org.iommulab.api.dma.DmaApi;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.dma.DmaMasks;
import org.iommulab.api.dma.DmaUsageException;
import org.iommulab.api.dma.SgTable;
import org.junit.jupiter.api.Test;

/**
 * Linux {@code check_unmap}'s findings: each misuse is raised (with Linux's words, the device,
 * the backend and the mapping involved), heard once, kept and counted, before the call is
 * refused; a mapping whose error was never checked is reported when it is unmapped.
 */
class CheckerUnmapFindingsTest {
    private static final DmaDirection TO = DmaDirection.TO_DEVICE;
    private static final DmaDirection FROM = DmaDirection.FROM_DEVICE;
    private static final DmaDirection BIDI = DmaDirection.BIDIRECTIONAL;

    private final CheckerFixture f = new CheckerFixture();
    private final DmaApi api = f.api;

    @Test
    void unmapOfAnInvalidAddress() {
        assertThrows(DmaUsageException.class, () -> api.unmapPage(DmaMasks.MAPPING_ERROR, PAGE, TO, 0));
        assertFinding(f.only(FindingKind.UNMAP_INVALID_ADDRESS), FindingKind.UNMAP_INVALID_ADDRESS, -1, PAGE, TO, "");
    }

    @Test
    void unmapOfSomethingNeverMapped() {
        long dma = f.map(f.page(), PAGE, TO);
        assertThrows(DmaUsageException.class, () -> api.unmapPhys(dma + PAGE, 64, FROM, 0));
        assertFinding(f.only(FindingKind.UNMAP_NOT_MAPPED), FindingKind.UNMAP_NOT_MAPPED, dma + PAGE, 64, FROM,
                String.format(" [device address=0x%016x] [size=64 bytes]", dma + PAGE));
    }

    @Test
    void unmapWithAnotherSize() {
        long dma = f.map(f.page(), PAGE, TO);
        assertThrows(DmaUsageException.class, () -> api.unmapPhys(dma, 2048, TO, 0));
        assertFinding(f.only(FindingKind.UNMAP_SIZE_MISMATCH), FindingKind.UNMAP_SIZE_MISMATCH, dma, PAGE, TO,
                String.format(" [device address=0x%016x] [map size=4096 bytes] [unmap size=2048 bytes]", dma));
        api.unmapPhys(dma, PAGE, TO, 0);
        f.none();
    }

    @Test
    void unmapWithTheWrongFunction() {
        long dma = f.map(f.page(), PAGE, TO);
        assertThrows(DmaUsageException.class, () -> api.unmapResource(dma, PAGE, TO, 0));
        assertFinding(f.only(FindingKind.UNMAP_WRONG_FUNCTION), FindingKind.UNMAP_WRONG_FUNCTION, dma, PAGE, TO,
                String.format(" [device address=0x%016x] [size=4096 bytes] [mapped as single] [unmapped as phy]", dma));
        // An sg table freed as a single mapping: size and function both, in check_unmap's order.
        SgTable sg = SgTable.of(new long[] {f.page()}, new int[] {512});
        api.mapSgtable(sg, FROM, 0);
        DmaUsageException e = assertThrows(DmaUsageException.class, () -> api.unmapPhys(sg.dmaAddress(0), 64, FROM, 0));
        List<Finding> both = f.take();
        assertEquals(List.of(FindingKind.UNMAP_SIZE_MISMATCH, FindingKind.UNMAP_WRONG_FUNCTION), kinds(both));
        assertEquals(e.getMessage(), "DMA-API: " + both.get(0).message().substring("DMA-API: dev0: ".length()),
                "the exception carries the first finding");
    }

    @Test
    void unmapWithAnotherDirection() {
        long dma = f.map(f.page(), PAGE, TO);
        assertThrows(DmaUsageException.class, () -> api.unmapPage(dma, PAGE, FROM, 0));
        assertFinding(f.only(FindingKind.UNMAP_DIRECTION_MISMATCH), FindingKind.UNMAP_DIRECTION_MISMATCH, dma, PAGE, TO,
                String.format(" [device address=0x%016x] [size=4096 bytes] [mapped with DMA_TO_DEVICE] [unmapped with DMA_FROM_DEVICE]", dma));
    }

    @Test
    void sgUnmapWithTheMappedCountInsteadOfTheOriginal() {
        f.backend.mergeSg = true;
        SgTable sg = SgTable.of(new long[] {f.page(), f.page(), f.page()}, new int[] {4096, 4096, 4096});
        int mapped = api.mapSg(sg, 3, FROM, 0);
        assertEquals(1, mapped);
        assertThrows(DmaUsageException.class, () -> api.unmapSg(sg, mapped, FROM, 0));
        assertFinding(f.only(FindingKind.UNMAP_SG_COUNT_MISMATCH), FindingKind.UNMAP_SG_COUNT_MISMATCH, sg.dmaAddress(0),
                3 * PAGE, FROM, " [map count=3] [unmap count=1]");
        api.unmapSg(sg, 3, FROM, 0);
        f.none();
    }

    @Test
    void coherentFreeWithAnotherCpuAddress() {
        CoherentAllocation c = api.allocCoherent(PAGE);
        assertThrows(DmaUsageException.class, () -> api.freeCoherent(PAGE, c.cpuAddress() + 64, c.dmaHandle()));
        assertFinding(f.only(FindingKind.UNMAP_CPU_ADDRESS_MISMATCH), FindingKind.UNMAP_CPU_ADDRESS_MISMATCH,
                c.dmaHandle(), PAGE, BIDI, String.format(" [device address=0x%016x] [size=4096 bytes] [cpu alloc address=0x%x] [cpu free address=0x%x]",
                        c.dmaHandle(), c.cpuAddress(), c.cpuAddress() + 64));
        api.freeCoherent(c);
        f.none();
    }

    @Test
    void aStreamingMappingFreedAsCoherentIsTheWrongFunctionAndDirection() {
        long dma = f.map(f.page(), PAGE, TO);
        assertThrows(DmaUsageException.class, () -> api.freeCoherent(PAGE, 0, dma));
        assertEquals(List.of(FindingKind.UNMAP_WRONG_FUNCTION, FindingKind.UNMAP_DIRECTION_MISMATCH), kinds(f.take()));
    }

    @Test
    void aMappingErrorNeverCheckedIsReportedAtUnmap() {
        long p = f.page();
        long dma = api.mapPage(p, 0, 256, TO, 0);
        api.unmapPage(dma, 256, TO, 0);
        assertFinding(f.only(FindingKind.MAP_ERROR_NOT_CHECKED), FindingKind.MAP_ERROR_NOT_CHECKED, dma, 256, TO,
                String.format(" [device address=0x%016x] [size=256 bytes] [mapped as single]", dma));
        long res = api.mapResource(0x7000_0000L, PAGE, BIDI, 0);
        api.unmapResource(res, PAGE, BIDI, 0);
        assertEquals(" [mapped as phy]", tail(f.only(FindingKind.MAP_ERROR_NOT_CHECKED).message()));
    }

    @Test
    void checkingTheMappingErrorMarksOneMappingAtThatAddress() {
        // Two mappings at one address (an identity-style backend), one check: dma-debug marks the first unchecked one.
        long p = f.page();
        long d1 = api.mapPhys(p, PAGE, TO, 0);
        long d2 = api.mapPhys(p, 64, TO, 0);
        assertEquals(d1, d2);
        api.mappingError(d1);
        api.unmapPhys(d2, 64, TO, 0);
        api.unmapPhys(d1, PAGE, TO, 0);
        assertEquals(1, f.take().size(), "one of the two was never checked");
    }

    @Test
    void aRefusedUnmapRetriedCorrectlyReportsTheUncheckedErrorOnce() {
        long dma = api.mapPhys(f.page(), PAGE, TO, 0);
        assertThrows(DmaUsageException.class, () -> api.unmapPhys(dma, 64, TO, 0));
        assertEquals(List.of(FindingKind.UNMAP_SIZE_MISMATCH), kinds(f.take()));
        api.unmapPhys(dma, PAGE, TO, 0);
        f.only(FindingKind.MAP_ERROR_NOT_CHECKED);
    }

    @Test
    void sgAndCoherentEntriesNeedNoMappingErrorCheck() {
        SgTable sg = SgTable.of(new long[] {f.page()}, new int[] {100});
        api.mapSgtable(sg, TO, 0);
        api.unmapSgtable(sg, TO, 0);
        api.freeCoherent(api.allocCoherent(PAGE));
        f.none();
    }

    @Test
    void mappingAnSgTableTwice() {
        SgTable sg = SgTable.of(new long[] {f.page(), f.page()}, new int[] {64, 64});
        api.mapSgtable(sg, TO, 0);
        assertThrows(DmaUsageException.class, () -> api.mapSg(sg, 2, TO, 0));
        assertFinding(f.only(FindingKind.SG_ALREADY_MAPPED), FindingKind.SG_ALREADY_MAPPED, sg.dmaAddress(0), 128, TO,
                String.format(" [device address=0x%016x] [nents=2]; unmap it first", sg.dmaAddress(0)));
    }

    @Test
    void aListenerThatThrowsIsLoggedAndTheOthersStillHear() {
        f.platform.addFindingListener(x -> {
            throw new IllegalStateException("listener bug");
        });
        long dma = f.map(f.page(), PAGE, TO);
        assertThrows(DmaUsageException.class, () -> api.unmapPhys(dma, 8, TO, 0));
        f.only(FindingKind.UNMAP_SIZE_MISMATCH);
        assertEquals(1, f.platform.log("dev0").stream().filter(l -> l.contains("listener bug")).count());
    }

    private static String tail(String message) {
        return message.substring(message.lastIndexOf(" ["));
    }

    private static List<FindingKind> kinds(List<Finding> l) {
        return l.stream().map(Finding::kind).collect(java.util.stream.Collectors.toList());
    }
}
