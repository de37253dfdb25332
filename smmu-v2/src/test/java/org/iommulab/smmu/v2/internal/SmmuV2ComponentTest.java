package org.iommulab.smmu.v2.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.util.Map;

import org.iommulab.api.admin.PlatformAdmin;
import org.iommulab.api.iommu.DomainType;
import org.iommulab.api.iommu.IommuDomain;
import org.iommulab.api.iommu.IommuProt;
import org.iommulab.api.platform.AccessType;
import org.iommulab.api.platform.DeviceDescriptor;
import org.iommulab.platform.internal.device.SimDmaDevice;
import org.iommulab.platform.internal.memory.SparsePhysicalMemory;
import org.iommulab.platform.internal.memory.ZonedPageAllocator;
import org.iommulab.smmu.v2.internal.model.SmmuV2Params;
import org.junit.jupiter.api.Test;

/** The DS component built with new: configuration to hardware, and the driver behind it. */
class SmmuV2ComponentTest {
    private final SparsePhysicalMemory mem = SparsePhysicalMemory.defaultLayout();
    private final ZonedPageAllocator alloc = new ZonedPageAllocator(mem);

    /** A configuration with the metatype defaults, some overridden. */
    private static SmmuV2Component.Config config(Map<String, Object> overrides) {
        return (SmmuV2Component.Config) Proxy.newProxyInstance(SmmuV2Component.Config.class.getClassLoader(),
                new Class<?>[] {SmmuV2Component.Config.class}, (p, m, a) -> {
                    if (m.getName().equals("annotationType")) {
                        return SmmuV2Component.Config.class;
                    }
                    return overrides.containsKey(m.getName()) ? overrides.get(m.getName()) : m.getDefaultValue();
                });
    }

    private PlatformAdmin platform() {
        return (PlatformAdmin) Proxy.newProxyInstance(PlatformAdmin.class.getClassLoader(),
                new Class<?>[] {PlatformAdmin.class}, (p, m, a) -> switch (m.getName()) {
                    case "memory" -> mem;
                    case "allocator" -> alloc;
                    default -> throw new UnsupportedOperationException(m.getName());
                });
    }

    @Test
    void defaultsDescribeAnMmu500() {
        SmmuV2Params p = SmmuV2Component.params(config(Map.of()));
        assertEquals(48, p.smrGroups());
        assertEquals(16, p.contextBanks());
        assertTrue(p.granule4k() && p.granule16k() && p.granule64k());
        assertTrue(p.stage1() && p.stage2() && p.nested());
    }

    @Test
    void aGranuleSelectsWhatId2Reports() {
        SmmuV2Params p = SmmuV2Component.params(config(Map.of("granule", 65536)));
        assertFalse(p.granule4k());
        assertTrue(p.granule64k());
    }

    @Test
    void badConfigurationIsRefusedWithAClearError() {
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> SmmuV2Component.params(config(Map.of("granule", 8192)))).getMessage().contains("granule"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> SmmuV2Component.params(config(Map.of("stage", 3)))).getMessage().contains("stage"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> SmmuV2Component.params(config(Map.of("contextBanks", 0)))).getMessage().contains("context banks"));
    }

    @Test
    void theComponentIsTheDriver() throws Exception {
        SmmuV2Component c = new SmmuV2Component(platform(), config(Map.of("granule", 65536)));
        assertEquals("smmu-v2", c.name());
        assertEquals((1L << 16) | (1L << 29), c.pgsizeBitmap());
        SimDmaDevice d = new SimDmaDevice(DeviceDescriptor.builder("gpu").streamIds(9).build(), mem, alloc);
        assertTrue(c.servesDevice(d));
        c.probeDevice(d);
        IommuDomain dom = c.allocDomain(DomainType.DMA);
        assertEquals(0, dom.attachDevice(d));
        long pa = alloc.allocPages(16, org.iommulab.api.platform.Zone.NORMAL);
        long pa64 = (pa + 0xffff) & ~0xffffL;
        assertEquals(0, dom.map(0x10000, pa64, 0x10000, IommuProt.READ));
        assertEquals(pa64 + 0x1234, c.translationPort(d).translate(9, 0x11234, AccessType.READ));
        dom.detachDevice(d);
        c.releaseDevice(d);
        dom.free();
        c.deactivate();
    }
}
