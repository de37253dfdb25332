package org.iommulab.devices.internal.nvme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Map;

import org.iommulab.api.backend.DmaBackend;
import org.iommulab.api.dma.DmaMasks;
import org.iommulab.api.dma.SgTable;
import org.iommulab.api.platform.BusMaster;
import org.iommulab.api.platform.DeviceDescriptor;
import org.iommulab.api.platform.Zone;
import org.iommulab.devices.internal.testing.DriverHarness;
import org.junit.jupiter.api.Test;

/** PRPs built by the driver from a DMA view and walked back by the controller. */
class PrpTest {
    private final DriverHarness h = new DriverHarness();

    private BusMaster bus() {
        h.platform.addBackend(h.direct, Map.of(DmaBackend.NAME_PROPERTY, "direct"));
        h.platform.addDevice(DeviceDescriptor.builder("d").dmaMask(DmaMasks.bits(64)).build());
        return h.platform.busMaster("d");
    }

    private static SgTable mapped(long[][] segments) {
        SgTable sg = new SgTable(segments.length);
        for (long[] s : segments) {
            sg.add(0x4000_0000L, (int) s[1]);
        }
        for (int i = 0; i < segments.length; i++) {
            sg.setDmaSegment(i, segments[i][0], (int) segments[i][1]);
        }
        sg.setNents(segments.length);
        return sg;
    }

    @Test
    void aListOfThreePagesBuildsAPrpListTheControllerWalksBack() {
        BusMaster bus = bus();
        long list = h.allocator.allocPages(1, Zone.NORMAL);
        // 0x100 into a page, then a two-page segment, then a partial page: 4 PRP entries.
        SgTable sg = mapped(new long[][] {{0x5000_0100L, 4096 - 0x100}, {0x6000_0000L, 8192}, {0x7000_0000L, 1000}});
        int length = 4096 - 0x100 + 8192 + 1000;
        PrpBuilder.Prps p = PrpBuilder.build(sg, length, h.memory, list, list);
        assertNull(p.error());
        assertEquals(0x5000_0100L, p.prp1());
        assertEquals(list, p.prp2());
        PrpWalker.Walk w = PrpWalker.walk(bus, p.prp1(), p.prp2(), length);
        assertEquals(NvmeFormat.SC_SUCCESS, w.status);
        assertEquals(4, w.count);
        assertEquals(0x6000_1000L, w.addr[2]);
        assertEquals(1000, w.len[3]);
    }

    @Test
    void twoPagesNeedNoList() {
        SgTable sg = mapped(new long[][] {{0x5000_0800L, 2048}, {0x6000_0000L, 4096}});
        PrpBuilder.Prps p = PrpBuilder.build(sg, 2048 + 4096, h.memory, 0, 0);
        assertEquals(0x6000_0000L, p.prp2());
    }

    @Test
    void aMiddleSegmentNotEndingOnAPageIsAnInvalidSgl() {
        SgTable sg = mapped(new long[][] {{0x5000_0000L, 4096}, {0x6000_0000L, 6000}, {0x7000_0000L, 4096}});
        long list = h.allocator.allocPages(1, Zone.NORMAL);
        PrpBuilder.Prps p = PrpBuilder.build(sg, 4096 + 6000 + 4096, h.memory, list, list);
        assertNotNull(p.error());
        assertEquals(true, p.error().startsWith("Invalid SGL for payload"), p.error());
    }

    @Test
    void theControllerRefusesAPrpEntryWithAnOffset() {
        BusMaster bus = bus();
        assertEquals(NvmeFormat.SC_INVALID_PRP_OFFSET, PrpWalker.walk(bus, 0x5000_0000L, 0x6000_0200L, 8192).status);
        assertEquals(NvmeFormat.SC_INVALID_FIELD, PrpWalker.walk(bus, 0x5000_0002L, 0, 512).status);
    }
}
