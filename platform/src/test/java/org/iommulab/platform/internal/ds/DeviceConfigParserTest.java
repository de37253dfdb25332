package org.iommulab.platform.internal.ds;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.iommulab.api.dma.DmaMasks;
import org.iommulab.api.platform.DeviceDescriptor;
import org.junit.jupiter.api.Test;

class DeviceConfigParserTest {
    private static Map<String, Object> cfg(Object... kv) {
        Map<String, Object> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void defaultsFollowLinux() {
        DeviceSpec s = DeviceConfigParser.parse(cfg("name", "dev1"));
        DeviceDescriptor d = s.descriptor();
        assertEquals("dev1", d.name());
        assertArrayEquals(new int[] {0}, d.streamIds());
        assertEquals(DmaMasks.bits(32), d.dmaMask());
        assertEquals(0, d.busDmaLimit());
        assertTrue(d.coherent());
        assertTrue(d.trusted());
        assertFalse(d.pci());
        assertEquals(65536, d.maxSegmentSize());
        assertEquals(~0L, d.segmentBoundaryMask());
        assertEquals(0, d.minAlignMask());
        assertNull(s.backendTarget());
    }

    @Test
    void everyFieldInTheFormsAConfigurationFileWrites() {
        DeviceSpec s = DeviceConfigParser.parse(cfg("name", " nic1 ", "streamIds", new int[] {0x50, 0x51},
                "dmaMaskBits", 40, "busLimitBits", "36", "coherent", "false", "trusted", Boolean.FALSE, "pci", true,
                "maxSegmentSize", 1L << 20, "segmentBoundaryMask", "0xffff_ffff", "minAlignMask", "0xFFF",
                "backend.target", "(iommulab.backend.name=swiotlb)"));
        DeviceDescriptor d = s.descriptor();
        assertEquals("nic1", d.name());
        assertArrayEquals(new int[] {0x50, 0x51}, d.streamIds());
        assertEquals(DmaMasks.bits(40), d.dmaMask());
        assertEquals(DmaMasks.bits(36), d.busDmaLimit());
        assertFalse(d.coherent());
        assertFalse(d.trusted());
        assertTrue(d.pci());
        assertEquals(1 << 20, d.maxSegmentSize());
        assertEquals(0xffff_ffffL, d.segmentBoundaryMask());
        assertEquals(0xfff, d.minAlignMask());
        assertEquals("(iommulab.backend.name=swiotlb)", s.backendTarget());
    }

    @Test
    void streamIdsAsStringsListsOrOneNumber() {
        assertArrayEquals(new int[] {16, 17}, DeviceConfigParser.parse(cfg("name", "a", "streamIds", "0x10, 0x11")).descriptor().streamIds());
        assertArrayEquals(new int[] {3, 4}, DeviceConfigParser.parse(cfg("name", "a", "streamIds", List.of(3, "4"))).descriptor().streamIds());
        assertArrayEquals(new int[] {9}, DeviceConfigParser.parse(cfg("name", "a", "streamIds", 9L)).descriptor().streamIds());
        assertArrayEquals(new int[] {1, 2}, DeviceConfigParser.parse(cfg("name", "a", "streamIds", new String[] {"1", "2"})).descriptor().streamIds());
        assertNull(DeviceConfigParser.parse(cfg("name", "a", "backend.target", "  ")).backendTarget());
    }

    @Test
    void errorsNameThePropertyAndTheValue() {
        assertMessage("property 'name' (the device name) is required", cfg("dmaMaskBits", 32));
        assertMessage("dmaMaskBits must be 1..64, got 65", cfg("name", "x", "dmaMaskBits", 65));
        assertMessage("busLimitBits must be 0 (none) or 1..64, got -1", cfg("name", "x", "busLimitBits", -1));
        assertMessage("minAlignMask must be a number (decimal or 0x hex), got '0xZZ'", cfg("name", "x", "minAlignMask", "0xZZ"));
        assertMessage("coherent must be true or false, got yes", cfg("name", "x", "coherent", "yes"));
        assertMessage("stream ID must be 0..2147483647, got -3", cfg("name", "x", "streamIds", new int[] {-3}));
        assertMessage("streamIds must name at least one stream ID", cfg("name", "x", "streamIds", new int[0]));
        assertMessage("backend.target must be an LDAP filter string", cfg("name", "x", "backend.target", 5));
        assertMessage("segment boundary mask must be 2^n-1", cfg("name", "x", "segmentBoundaryMask", "0x1000"));
        assertMessage("maxSegmentSize must be a number, got 1.5", cfg("name", "x", "maxSegmentSize", 1.5));
    }

    private static void assertMessage(String part, Map<String, Object> cfg) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DeviceConfigParser.parse(cfg));
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }
}
