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

import org.iommulab.api.config.ConfigException;
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

    /**
     * Every key's rule, each broken once: the message names the configuration (its service.pid,
     * else the factory PID), the key, the value as given and the rule. The rules come from the
     * DMA API: a mask is 2^n-1 (dma_set_mask), a boundary mask at least a page (PAGE_SIZE-1,
     * dma_get_seg_boundary), a max segment size fits an unsigned int (dma_set_max_seg_size).
     */
    @Test
    void everyKeysRuleIsNamedWithPidKeyValueAndRule() {
        String pid = "configuration org.iommulab.device: ";
        assertMessage(pid + "name=(missing): required: a string", cfg("dmaMaskBits", 32));
        assertMessage(pid + "name=a b: a device name of letters, digits and _.:- (for example nic1)", cfg("name", "a b"));
        assertMessage(pid + "dmaMaskBits=65: an integer 1..64 (decimal or 0x hex)", cfg("name", "x", "dmaMaskBits", 65));
        assertMessage(pid + "dmaMaskBits=0: an integer 1..64", cfg("name", "x", "dmaMaskBits", "0"));
        assertMessage(pid + "busLimitBits=-1: an integer 0..64", cfg("name", "x", "busLimitBits", -1));
        assertMessage(pid + "minAlignMask=0xZZ: 0 or a mask 2^n-1 with n 1..64", cfg("name", "x", "minAlignMask", "0xZZ"));
        assertMessage(pid + "minAlignMask=0x1000: 0 or a mask 2^n-1", cfg("name", "x", "minAlignMask", "0x1000"));
        assertMessage(pid + "coherent=yes: true or false", cfg("name", "x", "coherent", "yes"));
        assertMessage(pid + "trusted=1: true or false", cfg("name", "x", "trusted", "1"));
        assertMessage(pid + "pci=no: true or false", cfg("name", "x", "pci", "no"));
        assertMessage(pid + "streamIds=-3: one or more stream IDs 0..2147483647", cfg("name", "x", "streamIds", new int[] {-3}));
        assertMessage(pid + "streamIds=: one or more stream IDs", cfg("name", "x", "streamIds", new int[0]));
        assertMessage(pid + "streamIds=0x10, zz: one or more stream IDs", cfg("name", "x", "streamIds", "0x10, zz"));
        assertMessage(pid + "backend.target=5: a string", cfg("name", "x", "backend.target", 5));
        assertMessage(pid + "backend.target=(iommulab.backend.name=swiotlb: empty, or an LDAP filter",
                cfg("name", "x", "backend.target", "(iommulab.backend.name=swiotlb"));
        // 0x7ff is 2^11-1: a mask, but below a 4 KiB page.
        assertMessage(pid + "segmentBoundaryMask=0x7ff: a mask 2^n-1 with n 12..64", cfg("name", "x", "segmentBoundaryMask", "0x7ff"));
        assertMessage(pid + "segmentBoundaryMask=0x1000: a mask 2^n-1 with n 12..64", cfg("name", "x", "segmentBoundaryMask", "0x1000"));
        assertMessage(pid + "maxSegmentSize=1.5: a size 1..4294967295 (bytes", cfg("name", "x", "maxSegmentSize", 1.5));
        // 4G is 2^32, one more than dma_set_max_seg_size's unsigned int can hold.
        assertMessage(pid + "maxSegmentSize=4G: a size 1..4294967295 (bytes", cfg("name", "x", "maxSegmentSize", "4G"));
        assertMessage("configuration org.iommulab.device~mydev: dmaMaskBits=x:",
                cfg("name", "x", "dmaMaskBits", "x", "service.pid", "org.iommulab.device~mydev"));
    }

    @Test
    void sizesTakeKmgAndMasksTakeDecimal() {
        DeviceDescriptor d = DeviceConfigParser.parse(cfg("name", "x", "maxSegmentSize", "4K", "segmentBoundaryMask", "4095",
                "minAlignMask", "0xfff")).descriptor();
        assertEquals(4096, d.maxSegmentSize());
        assertEquals(0xfff, d.segmentBoundaryMask());
        assertEquals(0xfff, d.minAlignMask());
        assertEquals(0xffff_ffffL, DeviceConfigParser.parse(cfg("name", "x", "maxSegmentSize", "4194303K")).descriptor()
                .maxSegmentSize() + 1023, "4194303 KiB is 4 GiB less 1 KiB");
    }

    private static void assertMessage(String part, Map<String, Object> cfg) {
        ConfigException e = assertThrows(ConfigException.class, () -> DeviceConfigParser.parse(cfg));
        assertTrue(e.getMessage().startsWith(part), e.getMessage());
    }
}
