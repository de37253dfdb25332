package org.iommulab.app.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The built-in PCI devices' drivers enable MSI in probe, before their first DMA allocation, as
 * Linux's nvme does ({@code nvme_pci_enable}: {@code pci_alloc_irq_vectors} before the admin
 * queues are allocated). Behind an IOMMU the ITS doorbell 0x08090040 (QEMU virt's
 * GITS_TRANSLATER) is then mapped at the top 32-bit IOVA, 0xfffff000 (iommu_dma_get_msi_page:
 * the normal allocator, top-down, 32-bit first for PCI, an empty domain), so the message address
 * is 0xfffff040; without one the device writes the doorbell itself.
 */
class MsiAtProbeTest {
    @Test
    void pciDevicesEnableMsiAtProbeAndPlatformDevicesDoNot() {
        AppHarness h = new AppHarness();
        h.directAndSwiotlb().generic().allDevices();
        h.platform.bind("disk0", "generic");
        h.platform.bind("nic0", "generic");
        List<String> disk = h.platform.log("disk0");
        assertTrue(disk.contains("disk0: MSI enabled: doorbell 0x8090040 at bus address 0xfffff040"), disk.toString());
        assertFalse(h.platform.log("nic0").stream().anyMatch(l -> l.contains("MSI")), "nic0 is no PCI device");
        h.platform.bind("disk0", "direct");
        assertEquals("disk0: MSI enabled: doorbell 0x8090040 at bus address 0x8090040",
                h.platform.log("disk0").stream().filter(l -> l.contains("MSI")).reduce((a, b) -> b).orElse(""));
    }
}
