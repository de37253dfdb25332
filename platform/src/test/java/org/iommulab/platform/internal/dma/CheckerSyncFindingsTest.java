package org.iommulab.platform.internal.dma;

import static org.iommulab.platform.internal.dma.CheckerFixture.PAGE;
import static org.iommulab.platform.internal.dma.CheckerFixture.assertFinding;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.stream.Collectors;

import org.iommulab.api.checker.Finding;
import org.iommulab.api.checker.FindingKind;
import org.iommulab.api.dma.DmaApi;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.dma.DmaUsageException;
import org.iommulab.api.dma.SgTable;
import org.junit.jupiter.api.Test;

/** Linux {@code check_sync}'s findings, in its order, each before the call is refused. */
class CheckerSyncFindingsTest {
    private static final DmaDirection TO = DmaDirection.TO_DEVICE;
    private static final DmaDirection FROM = DmaDirection.FROM_DEVICE;
    private static final DmaDirection BIDI = DmaDirection.BIDIRECTIONAL;

    private final CheckerFixture f = new CheckerFixture();
    private final DmaApi api = f.api;

    @Test
    void syncOfSomethingNeverMapped() {
        long dma = f.map(f.page(), PAGE, TO);
        assertThrows(DmaUsageException.class, () -> api.syncSingleForCpu(dma + 2 * PAGE, 8, TO));
        assertFinding(f.only(FindingKind.SYNC_NOT_MAPPED), FindingKind.SYNC_NOT_MAPPED, dma + 2 * PAGE, 8, TO,
                String.format(" [device address=0x%016x] [size=8 bytes]", dma + 2 * PAGE));
        SgTable never = SgTable.of(new long[] {f.page()}, new int[] {64});
        assertThrows(DmaUsageException.class, () -> api.syncSgtableForDevice(never, TO));
        assertFinding(f.only(FindingKind.SYNC_NOT_MAPPED), FindingKind.SYNC_NOT_MAPPED, -1, 64, TO,
                " [device address=0xffffffffffffffff] [size=64 bytes]");
    }

    @Test
    void syncOutsideTheMapping() {
        long dma = f.map(f.page(), PAGE, FROM);
        assertThrows(DmaUsageException.class, () -> api.syncSingleRangeForCpu(dma, 4000, 200, FROM));
        assertFinding(f.only(FindingKind.SYNC_OUT_OF_RANGE), FindingKind.SYNC_OUT_OF_RANGE, dma, PAGE, FROM,
                String.format(" [device address=0x%016x] [allocation size=4096 bytes] [sync offset+size=4200]", dma));
    }

    @Test
    void aToDeviceMappingSyncedForTheCpuFromTheDeviceIsReadOnlyMemory() {
        long dma = f.map(f.page(), PAGE, TO);
        DmaUsageException e = assertThrows(DmaUsageException.class, () -> api.syncSingleForCpu(dma, 64, FROM));
        List<Finding> two = f.take();
        assertEquals(List.of(FindingKind.SYNC_DIRECTION_MISMATCH, FindingKind.SYNC_READ_ONLY_FOR_CPU), kinds(two));
        assertFinding(two.get(0), FindingKind.SYNC_DIRECTION_MISMATCH, dma, PAGE, TO, String.format(
                " [device address=0x%016x] [size=4096 bytes] [mapped with DMA_TO_DEVICE] [synced with DMA_FROM_DEVICE]", dma));
        assertFinding(two.get(1), FindingKind.SYNC_READ_ONLY_FOR_CPU, dma, PAGE, TO, String.format(
                " [device address=0x%016x] [size=4096 bytes] [mapped with DMA_TO_DEVICE] [synced with DMA_FROM_DEVICE]", dma));
        assertEquals(two.get(0).message().replace("dev0: ", ""), e.getMessage());
        // BIDIRECTIONAL as the sync direction of a TO_DEVICE mapping: also device read-only memory.
        assertThrows(DmaUsageException.class, () -> api.syncSingleForCpu(dma, 64, BIDI));
        assertEquals(List.of(FindingKind.SYNC_DIRECTION_MISMATCH, FindingKind.SYNC_READ_ONLY_FOR_CPU), kinds(f.take()));
        // For the device, a TO_DEVICE mapping synced FROM_DEVICE is only "different direction".
        assertThrows(DmaUsageException.class, () -> api.syncSingleForDevice(dma, 64, FROM));
        assertEquals(List.of(FindingKind.SYNC_DIRECTION_MISMATCH), kinds(f.take()));
    }

    @Test
    void aFromDeviceMappingSyncedToTheDeviceIsWriteOnlyMemory() {
        long dma = f.map(f.page(), PAGE, FROM);
        assertThrows(DmaUsageException.class, () -> api.syncSingleForDevice(dma, 64, TO));
        List<Finding> two = f.take();
        assertEquals(List.of(FindingKind.SYNC_DIRECTION_MISMATCH, FindingKind.SYNC_WRITE_ONLY_FOR_DEVICE), kinds(two));
        assertFinding(two.get(1), FindingKind.SYNC_WRITE_ONLY_FOR_DEVICE, dma, PAGE, FROM, String.format(
                " [device address=0x%016x] [size=4096 bytes] [mapped with DMA_FROM_DEVICE] [synced with DMA_TO_DEVICE]", dma));
        // For the cpu, FROM_DEVICE memory synced TO_DEVICE is only "different direction".
        assertThrows(DmaUsageException.class, () -> api.syncSingleForCpu(dma, 64, TO));
        assertEquals(List.of(FindingKind.SYNC_DIRECTION_MISMATCH), kinds(f.take()));
    }

    @Test
    void sgSyncWithTheMappedCountAndAnotherDirection() {
        f.backend.mergeSg = true;
        SgTable sg = SgTable.of(new long[] {f.page(), f.page()}, new int[] {4096, 4096});
        assertEquals(0, api.mapSgtable(sg, FROM, 0));
        assertThrows(DmaUsageException.class, () -> api.syncSgForCpu(sg, sg.nents(), FROM));
        assertFinding(f.only(FindingKind.SYNC_SG_COUNT_MISMATCH), FindingKind.SYNC_SG_COUNT_MISMATCH, sg.dmaAddress(0),
                2 * PAGE, FROM, " [map count=2] [sync count=1]");
        DmaUsageException e = assertThrows(DmaUsageException.class, () -> api.syncSgForDevice(sg, 1, TO));
        assertEquals(List.of(FindingKind.SYNC_DIRECTION_MISMATCH, FindingKind.SYNC_WRITE_ONLY_FOR_DEVICE,
                FindingKind.SYNC_SG_COUNT_MISMATCH), kinds(f.take()));
        assertEquals(true, e.getMessage().contains("with different direction"), "check_sync's first: " + e.getMessage());
    }

    @Test
    void bidirectionalMappingsSyncInEitherDirectionWithoutFindings() {
        long dma = f.map(f.page(), PAGE, BIDI);
        api.syncSingleForCpu(dma, PAGE, FROM);
        api.syncSingleForDevice(dma, PAGE, TO);
        api.syncSingleForCpu(dma, 64, TO);
        api.syncSingleForDevice(dma, 64, FROM);
        api.syncSingleRangeForCpu(dma, 128, 64, BIDI);
        SgTable sg = SgTable.of(new long[] {f.page()}, new int[] {256});
        api.mapSgtable(sg, BIDI, 0);
        api.syncSgtableForCpu(sg, FROM);
        api.syncSgtableForDevice(sg, TO);
        api.unmapSgtable(sg, BIDI, 0);
        api.unmapPhys(dma, PAGE, BIDI, 0);
        f.none();
    }

    private static List<FindingKind> kinds(List<Finding> l) {
        return l.stream().map(Finding::kind).collect(Collectors.toList());
    }
}
