package org.iommulab.replay.internal.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.iommulab.replay.internal.device.DeviceConfig;
import org.iommulab.replay.internal.fake.FakeBackend;
import org.iommulab.replay.internal.fake.FakePlatform;
import org.iommulab.replay.internal.parse.EventKind;
import org.iommulab.replay.internal.sg.SgCertainty;
import org.junit.jupiter.api.Test;

class ReplayEngineTest {
    private static final String NIC = "0000:01:00.0";
    private static final String NVME = "0000:02:00.0";
    private static final String USB = "ffd00000.usb";

    private FakePlatform platform = new FakePlatform(FakeBackend.DIRECT, FakeBackend.IOMMU, FakeBackend.SWIOTLB);

    private ReplayEngine engine(ReplayOptions options) {
        return new ReplayEngine(platform, platform::lookup, new DeviceConfig(), options);
    }

    private ReplaySummary run(String trace, List<String> backends) throws IOException {
        return engine(ReplayOptions.defaults()).run(Traces.resource(trace), backends, ReplayProgress.NONE);
    }

    @Test
    void sample612OnEveryBackend() throws IOException {
        long allocatedBefore = platform.allocator().allocatedBytes();
        List<String> progress = new ArrayList<>();
        ReplaySummary s = engine(ReplayOptions.defaults()).run(Traces.resource(Traces.SAMPLE_612), List.of(),
                (backend, lines, bytes, total) -> progress.add(backend));
        assertEquals(List.of("direct", "iommu", "swiotlb"), progress, "one final progress report per pass");
        assertEquals(3, s.backends().size());
        assertEquals(32, s.parse().events());
        assertEquals(0, s.parse().malformed());
        assertEquals(3, s.devices().size());
        assertEquals(NIC, s.devices().get(0).traceName());
        assertEquals(1L, s.traceFaults().get(NIC));
        assertEquals(2, s.traceAttaches().size());

        for (BackendResult r : s.backends()) {
            DeviceReport nic = r.device(NIC);
            assertEquals(8, nic.calls());
            assertEquals(1, nic.calls(EventKind.DMA_ALLOC));
            assertEquals(2, nic.calls(EventKind.DMA_MAP_PAGE));
            assertEquals(8, nic.replayed(), r.backend());
            assertEquals(0, nic.skipped());
            assertEquals(1, nic.misuse());
            assertEquals(1, nic.misuse(MisuseKind.SIZE_MISMATCH), "the RX buffer is unmapped with the wrong size");
            assertEquals(1, nic.leaks(), "and so stays mapped");
            assertEquals(4096, nic.leakBytes());
            assertEquals(3 * 4096, nic.peakMappedBytes());
            assertEquals(3, nic.addressesCompared());

            DeviceReport nvme = r.device(NVME);
            assertEquals(5, nvme.calls());
            assertEquals(5, nvme.replayed());
            assertEquals(2, nvme.sgRebuilds(SgCertainty.CERTAIN), "iommu:map events pin the merged call down");
            assertEquals(2, nvme.sgMapped());
            assertEquals(0, nvme.misuse());
            assertEquals(0, nvme.leaks());

            DeviceReport usb = r.device(USB);
            assertEquals(4, usb.calls());
            assertEquals(4, usb.replayed());
            assertEquals(1, usb.sgLayoutEqual());
            assertEquals(17, r.total().calls());
            assertEquals(0, r.total().errors(), r.total().firstError());
            assertEquals(0, r.total().badInput());
        }
        // dma-direct never merges: the NVMe call the IOMMU merged into one segment keeps three
        assertEquals(1, s.backend("direct").device(NVME).sgLayoutEqual());
        assertEquals(2, s.backend("iommu").device(NVME).sgLayoutEqual());
        // the MMIO resource keeps its trace address, and dma-direct maps it 1:1
        assertEquals(1, s.backend("direct").device(USB).addressesEqual());
        // the fake IOMMU hands out IOVAs top-down below 4 GiB as the traced machine did
        assertEquals(3, s.backend("iommu").device(NIC).addressesEqual());
        assertEquals(0, s.backend("direct").device(NIC).addressesEqual());
        // swiotlb bounces at map time in every direction: 2048 (RX) + 98 (TX)
        assertEquals(2048 + 98, s.backend("swiotlb").device(NIC).bouncedBytes());
        assertEquals(0, s.backend("direct").device(NIC).bouncedBytes());

        assertTrue(s.physPages() >= 8);
        assertEquals(0, s.physFailures());
        assertTrue(platform.devices().isEmpty(), "the devices the replay added are gone");
        assertEquals(allocatedBefore, platform.allocator().allocatedBytes(), "the trace's memory is released");
    }

    @Test
    void laterGenerationTraceCmdSampleWithoutAndWithSgGuess() throws IOException {
        ReplaySummary s = run(Traces.SAMPLE_PHYS, List.of("iommu"));
        DeviceReport gpu = s.backend("iommu").device("0000:00:02.0");
        assertEquals(11, gpu.calls());
        assertEquals(1, gpu.sgRebuilds(SgCertainty.UNCERTAIN));
        assertEquals(1, gpu.skipped(SkipReason.SG_UNCERTAIN));
        assertEquals(2, gpu.skipped(SkipReason.MAP_NOT_REPLAYED), "its sync and unmap follow it");
        assertEquals(8, gpu.replayed());
        assertEquals(0, gpu.misuse());
        assertEquals(0, gpu.leaks());
        DeviceReport mmc = s.backend("iommu").device("fe300000.mmc");
        assertEquals(3, mmc.replayed());
        assertEquals(1, mmc.sgRebuilds(SgCertainty.CERTAIN));
        assertEquals(0, mmc.sgLayoutEqual(), "the IOMMU merges what dma-direct had left apart");
        assertEquals(0, s.backend("iommu").total().misuse());

        ReplaySummary g = engine(ReplayOptions.defaults().withSgGuess(true)).run(Traces.resource(Traces.SAMPLE_PHYS),
                List.of("iommu"), ReplayProgress.NONE);
        DeviceReport guessed = g.backend("iommu").device("0000:00:02.0");
        assertEquals(11, guessed.replayed());
        assertEquals(1, guessed.sgGuessed());
        assertEquals(1, guessed.sgLayoutEqual(), "the guess of one page per entry merges back into one 8 KiB segment");
        assertEquals(0, guessed.skipped());
    }

    @Test
    void misuseIsFoundAndClassified() throws IOException {
        ReplaySummary s = engine(ReplayOptions.defaults()).run(Traces.text(
                "t-1 [000] ..... 1.000000: dma_map_page: d dir=TO_DEVICE dma_addr=80001000 size=256 phys_addr=80001000 attrs=",
                "t-1 [000] ..... 1.000001: dma_unmap_page: d dir=FROM_DEVICE dma_addr=80001000 size=256 attrs=",
                "t-1 [000] ..... 1.000002: dma_unmap_page: d dir=TO_DEVICE dma_addr=90000000 size=256 attrs=",
                "t-1 [000] ..... 1.000003: dma_sync_single_for_cpu: d dir=TO_DEVICE dma_addr=90000000 size=16",
                "t-1 [000] ..... 1.000004: dma_sync_single_for_cpu: d dir=TO_DEVICE dma_addr=80001080 size=512",
                "t-1 [000] ..... 1.000005: dma_unmap_sg: d dir=TO_DEVICE phys_addrs={0x70000000} attrs=",
                "t-1 [000] ..... 1.000006: dma_free: d dir=BIDIRECTIONAL dma_addr=80001000 size=256 virt_addr=0 attrs=",
                "t-1 [000] ..... 1.000007: dma_unmap_resource: d dir=TO_DEVICE dma_addr=80001000 size=256 attrs=",
                "t-1 [000] ..... 1.000008: dma_unmap_page: d dir=TO_DEVICE dma_addr=80001000 size=256 attrs="),
                List.of("direct"), ReplayProgress.NONE);
        DeviceReport d = s.backend("direct").device("d");
        assertEquals(1, d.misuse(MisuseKind.DIRECTION_MISMATCH));
        assertEquals(3, d.misuse(MisuseKind.NEVER_MAPPED), "unmap and sync of 0x90000000, unmap_sg of a table never mapped");
        assertEquals(1, d.misuse(MisuseKind.SYNC_OUTSIDE_RANGE));
        assertEquals(2, d.misuse(MisuseKind.WRONG_FUNCTION), "dma_free and dma_unmap_resource of a page mapping");
        assertEquals(0, d.leaks(), "the last, correct unmap released it");
    }

    @Test
    void singleSyncInsideAnSgSegment() throws IOException {
        String[] trace = {
            "t-1 [000] ..... 1.0: dma_map_sg: d dir=FROM_DEVICE dma_addrs={0x80001000,0x80003000} sizes={0x1000,0x1000} phys_addrs={0x80001000,0x80003000} attrs=",
            "t-1 [000] ..... 1.1: dma_sync_single_for_cpu: d dir=FROM_DEVICE dma_addr=80003010 size=32",
            "t-1 [000] ..... 1.2: dma_unmap_sg: d dir=FROM_DEVICE phys_addrs={0x80001000,0x80003000} attrs="};
        ReplaySummary s = engine(ReplayOptions.defaults()).run(Traces.text(trace), List.of("direct", "iommu"), ReplayProgress.NONE);
        DeviceReport direct = s.backend("direct").device("d");
        assertEquals(3, direct.replayed(), "same segments: the sync lands in the replayed segment");
        assertEquals(0, direct.misuse());
        DeviceReport iommu = s.backend("iommu").device("d");
        assertEquals(0, iommu.misuse(), "not misuse: the IOMMU laid the segments out differently");
        assertEquals(1, iommu.skipped(SkipReason.UNSUPPORTED));
    }

    @Test
    void failedCallsInTheTraceAndAttributesTheModelLacks() throws IOException {
        ReplaySummary s = engine(ReplayOptions.defaults()).run(Traces.text(
                "t-1 [000] ..... 1.0: dma_map_page: d dir=TO_DEVICE dma_addr=ffffffffffffffff size=256 phys_addr=80001000 attrs=",
                "t-1 [000] ..... 1.1: dma_map_sg_err: d dir=TO_DEVICE dma_addrs={0x80002000} err=-22 attrs=",
                "t-1 [000] ..... 1.2: dma_alloc: d dir=BIDIRECTIONAL dma_addr=0 size=4096 virt_addr=0000000000000000 flags=GFP_KERNEL attrs=",
                "t-1 [000] ..... 1.3: dma_map_phys: d dir=TO_DEVICE dma_addr=80003000 size=64 phys_addr=80003000 attrs=SKIP_CPU_SYNC|CC_SHARED",
                "t-1 [000] ..... 1.4: dma_unmap_phys: d dir=TO_DEVICE dma_addr=80003000 size=64 attrs=SKIP_CPU_SYNC|CC_SHARED",
                "t-1 [000] ..... 1.5: dma_map_page: d dir=NONE dma_addr=80004000 size=64 phys_addr=80004000 attrs=",
                "t-1 [000] ..... 1.6: dma_unmap_page: d dir=NONE dma_addr=80004000 size=64 attrs="),
                List.of("direct"), ReplayProgress.NONE);
        DeviceReport d = s.backend("direct").device("d");
        assertEquals(3, d.traceFailures());
        assertEquals(1, d.traceFailedReplaySucceeded(), "the replay mapped what the trace could not, and undid it");
        assertEquals(2, d.skipped(SkipReason.TRACE_FAILED));
        assertEquals(2, d.droppedAttrs());
        assertEquals(1, d.badInput(), "DMA_NONE is refused as bad input");
        assertEquals(1, d.skipped(SkipReason.MAP_NOT_REPLAYED), "so its unmap has nothing to undo");
        assertEquals(0, d.leaks());
        assertEquals(0, d.misuse());
    }

    @Test
    void aBackendThatRefusesADeviceIsReportedPerDevice() throws IOException {
        platform = new FakePlatform(List.of(FakeBackend.DIRECT, FakeBackend.IOMMU), Set.of(USB));
        ReplaySummary s = run(Traces.SAMPLE_612, List.of());
        assertNull(s.backend("direct").device(USB).unavailableReason());
        DeviceReport usb = s.backend("iommu").device(USB);
        assertNotNull(usb.unavailableReason());
        assertTrue(usb.unavailableReason().contains("does not accept"), usb.unavailableReason());
        assertEquals(4, usb.calls());
        assertEquals(4, usb.skipped(SkipReason.DEVICE_UNAVAILABLE));
        assertEquals(8, s.backend("iommu").device(NIC).replayed(), "other devices go on");
    }

    @Test
    void unknownBackendsAndEmptyPlatformsAreRefusedBeforeAnythingHappens() {
        assertThrows(IllegalArgumentException.class, () -> run(Traces.SAMPLE_612, List.of("smmu-v9")));
        assertTrue(platform.devices().isEmpty());
        platform = new FakePlatform(List.of(), Set.of());
        assertThrows(IllegalStateException.class, () -> run(Traces.SAMPLE_612, List.of()));
    }

    @Test
    void keepDevicesLeavesThemBoundToTheLastBackend() throws IOException {
        engine(ReplayOptions.defaults().withKeepDevices(true)).run(Traces.resource(Traces.SAMPLE_612),
                List.of("direct", "iommu"), ReplayProgress.NONE);
        assertEquals(3, platform.devices().size());
        assertEquals("iommu", platform.device(NIC).backend());
        assertEquals(0, platform.liveMappings(NIC), "what the trace leaked was released after counting");
    }

    @Test
    void singlePassFromAStreamAsABenchmarkUsesIt() throws IOException {
        ReplaySummary s = engine(ReplayOptions.defaults()).run(Traces.resource(Traces.SAMPLE_612).open(), "iommu");
        assertEquals(1, s.backends().size());
        assertEquals(17, s.backend("iommu").total().calls());
    }

    @Test
    void reportNamesEveryBackendAndFinding() throws IOException {
        String text = ReportPrinter.render(run(Traces.SAMPLE_612, List.of("direct", "swiotlb")));
        assertTrue(text.contains("backend direct:"), text);
        assertTrue(text.contains("backend swiotlb:"), text);
        assertTrue(text.contains("misuse: size mismatch 1"), text);
        assertTrue(text.contains("sg rebuild: 3 certain"), text);
        assertTrue(text.contains("0000:01:00.0"), text);
        assertTrue(text.contains("iommu:io_page_fault for 0000:01:00.0"), text);
    }
}
