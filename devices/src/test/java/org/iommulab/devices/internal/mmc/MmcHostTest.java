package org.iommulab.devices.internal.mmc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.iommulab.api.backend.DmaBackend;
import org.iommulab.api.dma.DmaMasks;
import org.iommulab.api.platform.BusMaster;
import org.iommulab.api.platform.DeviceDescriptor;
import org.iommulab.api.platform.Zone;
import org.iommulab.devices.internal.testing.DriverHarness;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The MMC host model: its 4 KiB descriptor limit, its data port and its error statuses. */
class MmcHostTest {
    private final DriverHarness h = new DriverHarness();
    private BusMaster bus;
    private MmcHost.Session host;
    private long table;

    @BeforeEach
    void setUp() {
        h.platform.addBackend(h.direct, Map.of(DmaBackend.NAME_PROPERTY, "direct"));
        h.platform.addDevice(DeviceDescriptor.builder("host").dmaMask(DmaMasks.bits(64)).build());
        bus = h.platform.busMaster("host");
        host = new MmcHost().open(bus);
        table = h.allocator.allocPages(1, Zone.NORMAL);
        host.setDescriptorTable(table);
    }

    private void descriptor(int i, long addr, int len, int gap, boolean end) {
        long d = table + 16L * i;
        h.memory.writeLong(d, addr);
        h.memory.writeInt(d + 8, len);
        h.memory.writeInt(d + 12, AdmaDescriptor.VALID | (end ? AdmaDescriptor.END : 0) | gap);
    }

    @Test
    void aDescriptorLongerThanFourKibIsRefused() {
        long buf = h.allocator.allocPages(2, Zone.NORMAL);
        descriptor(0, buf, 8192, 0, true);
        assertEquals(MmcHost.ADMA_ERROR, host.transfer(false, 0, 8192));
        assertTrue(host.lastError().contains("1..4096"), host.lastError());
    }

    @Test
    void gapBytesGoThroughTheDataPortInStreamOrder() {
        long buf = h.allocator.allocPages(1, Zone.NORMAL);
        byte[] stream = new byte[8192];
        for (int i = 0; i < stream.length; i++) {
            stream[i] = (byte) (i * 7);
        }
        h.memory.write(buf, stream, 0, 4096);
        descriptor(0, buf, 4096, 4096, true);
        assertEquals(MmcHost.OK, host.transfer(true, 512, 8192));
        assertEquals(4096, host.dataPortRemaining());
        assertTrue(host.writeDataPort(stream, 4096, 4096));
        assertEquals(MmcHost.OK, host.finish());

        long back = h.allocator.allocPages(1, Zone.NORMAL);
        descriptor(0, back, 4096, 4096, true);
        assertEquals(MmcHost.OK, host.transfer(false, 512, 8192));
        byte[] tail = new byte[4096];
        assertTrue(host.readDataPort(tail, 0, 4096));
        assertEquals(MmcHost.OK, host.finish());
        byte[] head = new byte[4096];
        h.memory.read(back, head, 0, 4096);
        byte[] all = new byte[8192];
        System.arraycopy(head, 0, all, 0, 4096);
        System.arraycopy(tail, 0, all, 4096, 4096);
        assertArrayEquals(stream, all);
    }

    @Test
    void unfinishedPioAndOutOfSequencePortAccessAreErrors() {
        long buf = h.allocator.allocPages(1, Zone.NORMAL);
        descriptor(0, buf, 4096, 512, true);
        assertEquals(MmcHost.OK, host.transfer(false, 0, 4608));
        assertFalse(host.writeDataPort(new byte[512], 0, 512), "a read transfer takes no port writes");
        assertEquals(MmcHost.LENGTH_ERROR, host.finish());
        assertEquals(MmcHost.SEQUENCE_ERROR, host.finish());
    }

    @Test
    void descriptorsThatDoNotCoverTheTransferAreALengthError() {
        long buf = h.allocator.allocPages(1, Zone.NORMAL);
        descriptor(0, buf, 1024, 0, true);
        assertEquals(MmcHost.LENGTH_ERROR, host.transfer(true, 0, 2048));
        assertEquals(MmcHost.ADDRESS_ERROR, host.transfer(true, 100, 512));
    }
}
