package org.iommulab.tck.internal.checks;

import static org.iommulab.tck.internal.Expect.hex;
import static org.iommulab.tck.internal.Expect.that;

import org.iommulab.api.dma.DmaAttrs;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.platform.AccessType;
import org.iommulab.api.platform.DmaFault;
import org.iommulab.api.platform.Zone;
import org.iommulab.tck.internal.Rig;
import org.iommulab.tck.internal.TestDevice;

/** After a strict unmap the device reaches nothing at the old handle, and the hardware says so once. */
final class FaultAfterUnmap extends RigCheck {
    FaultAfterUnmap() {
        super("fault-after-unmap", "After dma_unmap_single in strict mode (iommu-dma's __iommu_dma_unmap: unmap, then"
                + " iotlb_sync before the IOVA is freed) a device access to the old handle, even one the IOTLB held a"
                + " moment before, faults: reported exactly once, naming the device, its stream and the address, and"
                + " the access reaches no memory.");
    }

    @Override
    String run(Rig rig) throws Exception {
        rig.requireIsolation();
        TestDevice d = rig.strictDevice("unmap");
        long buf = rig.pages(1, Zone.NORMAL);
        rig.memory.fill(buf, PAGE, (byte) 0);
        long dma = d.api.mapPhys(buf, PAGE, DmaDirection.FROM_DEVICE, DmaAttrs.NONE);
        that(!d.api.mappingError(dma), () -> d + ": dma_map_single failed; log: " + rig.admin.log(d.name));
        d.bus.writeLong(dma, 42);
        d.bus.writeLong(dma + 8, 43);
        d.api.unmapPhys(dma, PAGE, DmaDirection.FROM_DEVICE, DmaAttrs.NONE);
        that(rig.memory.readLong(buf) == 42, () -> d + ": the device's write before unmap did not reach memory");
        DmaFault w = d.expectFault("a write after unmap", dma + 16, 8, () -> d.bus.writeLong(dma + 16, 44));
        that(w.access() == AccessType.WRITE, () -> "the fault of a write says " + w.access() + ": " + w);
        that(w.streamId() == d.sid, () -> "the fault names stream " + hex(w.streamId()) + ", not the device's "
                + hex(d.sid) + ": " + w);
        that(rig.memory.readLong(buf + 16) == 0, "the faulting write reached memory");
        DmaFault r = d.expectFault("a read after unmap", dma, 8, () -> d.bus.readLong(dma));
        that(r.access() == AccessType.READ, () -> "the fault of a read says " + r.access() + ": " + r);
        return "a write and a read at the unmapped handle " + hex(dma) + " (warm before unmap) each faulted once as "
                + w.kind() + ", naming " + d.name + " and stream " + hex(d.sid) + "; memory unchanged";
    }
}
