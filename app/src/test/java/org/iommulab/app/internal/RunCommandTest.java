package org.iommulab.app.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.iommulab.testkit.WrappingBackend;
import org.junit.jupiter.api.Test;

/** {@code iommu:run}: one workload, where its device is or after a swap, one table row. */
class RunCommandTest {
    private final AppHarness h = new AppHarness();

    private RunCommand command() {
        return new RunCommand(null, h.platform, h.platform.simulation());
    }

    @Test
    void runsOnTheDevicesBackendWhenNoneIsNamed() {
        h.directAndSwiotlb().generic().allDevices();
        String device = h.present().get("nvme").deviceName();
        String bound = h.platform.device(device).backend();
        String out = command().run(h, "nvme", null);
        assertTrue(out.lines().anyMatch(l -> l.startsWith(bound + " ") && l.contains(" nvme ")), out);
        assertTrue(out.contains("nvme on " + bound + ": ok"), out);
    }

    @Test
    void movesTheDeviceToTheNamedBackendFirst() {
        h.directAndSwiotlb().generic().allDevices();
        String out = command().run(h, "mmc-buggy", "generic");
        assertEquals("generic", h.platform.device(h.present().get("mmc-buggy").deviceName()).backend());
        assertTrue(out.contains("mmc-buggy on generic: caught (expected)"), out);
    }

    @Test
    void theBackendColumnWidensForALongName() {
        String name = "a-rather-long-vendor-iommu";
        h.backend(WrappingBackend.port(name, h.direct, p -> p)).allDevices();
        String out = command().run(h, "loopback", name);
        String header = out.lines().findFirst().orElseThrow();
        String row = out.lines().filter(l -> l.startsWith(name)).findFirst().orElseThrow(() -> new AssertionError(out));
        assertEquals(header.indexOf("workload"), row.indexOf("loopback"), out);
        String device = h.present().get("loopback").deviceName();
        assertEquals(header.indexOf("device"), row.indexOf(device), out);
        assertEquals(name.length() + 1, header.indexOf("workload"), out);
    }

    @Test
    void unknownWorkloadOrBackendIsAOneLineError() {
        h.directAndSwiotlb().allDevices();
        IllegalArgumentException w = assertThrows(IllegalArgumentException.class, () -> command().run(h, "nope", null));
        assertTrue(w.getMessage().startsWith("unknown workload 'nope'; present: "), w.getMessage());
        IllegalArgumentException b = assertThrows(IllegalArgumentException.class, () -> command().run(h, "nvme", "nope"));
        assertTrue(b.getMessage().startsWith("unknown backend 'nope'; registered: "), b.getMessage());
    }
}
