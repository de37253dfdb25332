package org.iommulab.devices.internal;

import java.util.Optional;

import org.iommulab.api.dma.DmaApi;
import org.iommulab.api.platform.PageAllocator;
import org.iommulab.devices.internal.camera.CameraDriver;
import org.iommulab.devices.internal.camera.CameraSensor;
import org.iommulab.devices.internal.core.DeviceDriver;
import org.iommulab.devices.internal.core.DeviceModels;
import org.iommulab.devices.internal.core.DeviceNames;
import org.iommulab.devices.internal.mmc.MmcDriver;
import org.iommulab.devices.internal.mmc.MmcHost;
import org.iommulab.devices.internal.nic.NicDriver;
import org.iommulab.devices.internal.nic.NicModel;
import org.iommulab.devices.internal.nvme.NvmeController;
import org.iommulab.devices.internal.nvme.NvmeDriver;
import org.iommulab.devices.internal.testdev.LoopbackDriver;
import org.iommulab.devices.internal.testdev.TestDevice;

/**
 * Every driver of this bundle: its workload name, the device it binds to, and how to make it
 * for a device's DmaApi. The DS components ({@code internal.ds}) are one per kind; unit tests
 * make drivers from here without OSGi. Listed in the order the main job runs them.
 */
public enum DriverKind {
    LOOPBACK("loopback", DeviceNames.TESTDEV) {
        @Override
        DeviceDriver make(DmaApi api, PageAllocator allocator, DeviceModels models) {
            return new LoopbackDriver(workload(), api, allocator, models.model(deviceOf(api), TestDevice.class, TestDevice::new));
        }
    },
    NIC("nic", DeviceNames.NIC) {
        @Override
        DeviceDriver make(DmaApi api, PageAllocator allocator, DeviceModels models) {
            return new NicDriver(workload(), api, allocator, models.model(deviceOf(api), NicModel.class, NicModel::new));
        }
    },
    NIC_EXT("nic-ext", DeviceNames.EXT_NIC) {
        @Override
        DeviceDriver make(DmaApi api, PageAllocator allocator, DeviceModels models) {
            return new NicDriver(workload(), api, allocator, models.model(deviceOf(api), NicModel.class, NicModel::new));
        }
    },
    NVME("nvme", DeviceNames.NVME) {
        @Override
        DeviceDriver make(DmaApi api, PageAllocator allocator, DeviceModels models) {
            return new NvmeDriver(workload(), api, allocator,
                    models.model(deviceOf(api), NvmeController.class, NvmeController::new));
        }
    },
    CAMERA("camera", DeviceNames.CAMERA) {
        @Override
        DeviceDriver make(DmaApi api, PageAllocator allocator, DeviceModels models) {
            return new CameraDriver(workload(), api, allocator, models.model(deviceOf(api), CameraSensor.class, CameraSensor::new));
        }
    },
    MMC("mmc", DeviceNames.MMC) {
        @Override
        DeviceDriver make(DmaApi api, PageAllocator allocator, DeviceModels models) {
            return MmcDriver.correct(workload(), api, allocator, models.model(deviceOf(api), MmcHost.class, MmcHost::new));
        }
    },
    MMC_BUGGY("mmc-buggy", DeviceNames.MMC_BUGGY) {
        @Override
        DeviceDriver make(DmaApi api, PageAllocator allocator, DeviceModels models) {
            return MmcDriver.buggy(workload(), api, allocator, models.model(deviceOf(api), MmcHost.class, MmcHost::new));
        }
    };

    private final String workload;
    private final String device;

    DriverKind(String workload, String device) {
        this.workload = workload;
        this.device = device;
    }

    /** The workload name its Workload service carries. */
    public String workload() {
        return workload;
    }

    /** The device its DS component binds to. */
    public String device() {
        return device;
    }

    /** A driver (not yet started) for the device {@code api} serves, with that device's model. */
    public DeviceDriver create(DmaApi api, PageAllocator allocator, DeviceModels models) {
        if (api == null || allocator == null || models == null) {
            throw new IllegalArgumentException(workload + ": a driver needs a DmaApi, a page allocator and the device models");
        }
        return make(api, allocator, models);
    }

    abstract DeviceDriver make(DmaApi api, PageAllocator allocator, DeviceModels models);

    /** The kind whose device is {@code device}, if any. */
    public static Optional<DriverKind> forDevice(String device) {
        for (DriverKind k : values()) {
            if (k.device.equals(device)) {
                return Optional.of(k);
            }
        }
        return Optional.empty();
    }

    private static String deviceOf(DmaApi api) {
        return api.device().name();
    }
}
