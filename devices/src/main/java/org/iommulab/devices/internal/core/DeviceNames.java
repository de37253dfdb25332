package org.iommulab.devices.internal.core;

/**
 * The devices the drivers of this bundle bind to. The first four are the platform's default
 * devices; the others the bundle adds itself ({@link ExtraDevices}).
 */
public final class DeviceNames {
    /** Coherent, trusted, 64-bit: the NIC. */
    public static final String NIC = "nic0";
    /** PCI, untrusted (external-facing), 64-bit: a second NIC behind a Thunderbolt-like port. */
    public static final String EXT_NIC = "ext0";
    /** PCI, 32-bit, min_align_mask 0xfff: the NVMe controller. */
    public static final String NVME = "disk0";
    /** Not coherent, 64-bit: the camera. */
    public static final String CAMERA = "cam0";
    /** The MMC host driven by the correct driver. */
    public static final String MMC = "mmc0";
    /** The MMC host driven by the seed case's buggy driver. */
    public static final String MMC_BUGGY = "mmc1";
    /** The programmable test DMA master. */
    public static final String TESTDEV = "testdev0";

    private DeviceNames() {
    }
}
