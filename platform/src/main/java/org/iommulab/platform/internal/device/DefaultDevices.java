package org.iommulab.platform.internal.device;

import java.util.List;

import org.iommulab.api.dma.DmaMasks;
import org.iommulab.api.platform.DeviceDescriptor;

/**
 * The platform's built-in devices, added when {@code org.iommulab.platform} has
 * {@code defaultDevices=true} (the default). One of each kind a DMA path treats differently:
 * <table>
 * <caption>default devices</caption>
 * <tr><th>name</th><th>stream ID</th><th>mask</th><th>what it exercises</th></tr>
 * <tr><td>nic0</td><td>0x10</td><td>64-bit</td><td>coherent and trusted: the plain fast path</td></tr>
 * <tr><td>disk0</td><td>0x20</td><td>32-bit</td><td>PCI with {@code min_align_mask} 0xfff (NVMe-like):
 * bouncing above 4 GiB must keep the low 12 bits, iommu-dma tries below 4 GiB first</td></tr>
 * <tr><td>cam0</td><td>0x30</td><td>64-bit</td><td>not coherent: every streaming mapping needs
 * syncs, and unaligned kmalloc buffers bounce</td></tr>
 * <tr><td>ext0</td><td>0x40</td><td>64-bit</td><td>PCI and untrusted (external-facing): strict
 * IOMMU invalidation, sub-page buffers bounce with zeroed padding</td></tr>
 * </table>
 * Everything else keeps Linux's defaults (64 KiB max segment, no boundary, no bus limit).
 */
public final class DefaultDevices {
    private DefaultDevices() {
    }

    public static List<DeviceDescriptor> all() {
        return List.of(
                DeviceDescriptor.builder("nic0").streamIds(0x10).dmaMask(DmaMasks.bits(64))
                        .coherent(true).trusted(true).build(),
                DeviceDescriptor.builder("disk0").streamIds(0x20).dmaMask(DmaMasks.bits(32))
                        .pci(true).minAlignMask(0xfff).build(),
                DeviceDescriptor.builder("cam0").streamIds(0x30).dmaMask(DmaMasks.bits(64))
                        .coherent(false).build(),
                DeviceDescriptor.builder("ext0").streamIds(0x40).dmaMask(DmaMasks.bits(64))
                        .pci(true).trusted(false).build());
    }
}
