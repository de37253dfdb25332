package org.iommulab.tck.internal.checks;

import static org.iommulab.tck.internal.Expect.that;

import org.iommulab.api.dma.DmaAttrs;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.platform.DmaFault;
import org.iommulab.api.platform.DmaFaultException;
import org.iommulab.api.platform.FaultKind;
import org.iommulab.api.platform.Zone;
import org.iommulab.tck.internal.Rig;
import org.iommulab.tck.internal.TestDevice;

/** Each DMA direction gives the device exactly the access it names. */
final class DirectionPermissions extends RigCheck {
    DirectionPermissions() {
        super("direction-permissions", "dma_info_to_prot: DMA_TO_DEVICE maps IOMMU_READ only, DMA_FROM_DEVICE"
                + " IOMMU_WRITE, DMA_BIDIRECTIONAL both. A device write to a TO_DEVICE mapping is a permission fault"
                + " (arm-smmu: AP_RDONLY; VT-d: second-level W=0), reported once, and reaches no memory; reads of"
                + " a FROM_DEVICE mapping may pass where the format has no write-only permission (ARM stage 1).");
    }

    @Override
    String run(Rig rig) throws Exception {
        rig.requireIsolation();
        TestDevice d = rig.strictDevice("dir");
        long buf = rig.pages(3, Zone.NORMAL);
        long to = buf;
        long from = buf + PAGE;
        long bidi = buf + 2 * PAGE;
        rig.memory.writeLong(to, 0x1111_2222_3333_4444L);

        long dma = map(d, to, DmaDirection.TO_DEVICE, rig);
        long dmaTo = dma;
        that(d.bus.readLong(dmaTo) == 0x1111_2222_3333_4444L, "the device read wrong data from a TO_DEVICE mapping");
        DmaFault f = d.expectFault("a device write to a DMA_TO_DEVICE mapping", dmaTo, 8, () -> d.bus.writeLong(dmaTo, 7));
        that(f.kind() == FaultKind.PERMISSION, () -> "a write to a read-only mapping faulted as " + f.kind()
                + ", not PERMISSION: " + f);
        that(rig.memory.readLong(to) == 0x1111_2222_3333_4444L, "the refused write reached memory");
        d.api.unmapPhys(dmaTo, PAGE, DmaDirection.TO_DEVICE, DmaAttrs.NONE);

        long dmaFrom = map(d, from, DmaDirection.FROM_DEVICE, rig);
        d.bus.writeLong(dmaFrom, 0x5555L);
        String fromRead;
        try {
            d.bus.readLong(dmaFrom);
            fromRead = "reads pass";
        } catch (DmaFaultException e) {
            that(e.fault().kind() == FaultKind.PERMISSION, () -> "a read of a write-only mapping faulted as "
                    + e.fault().kind() + ", not PERMISSION: " + e.fault());
            fromRead = "reads fault as PERMISSION";
        }
        d.api.unmapPhys(dmaFrom, PAGE, DmaDirection.FROM_DEVICE, DmaAttrs.NONE);
        that(rig.memory.readLong(from) == 0x5555L, "the device's write to a FROM_DEVICE mapping did not reach memory");

        long dmaBidi = map(d, bidi, DmaDirection.BIDIRECTIONAL, rig);
        d.bus.writeLong(dmaBidi, 0x6666L);
        that(d.bus.readLong(dmaBidi) == 0x6666L, "the device read back wrong data from a BIDIRECTIONAL mapping");
        d.api.unmapPhys(dmaBidi, PAGE, DmaDirection.BIDIRECTIONAL, DmaAttrs.NONE);
        that(rig.memory.readLong(bidi) == 0x6666L, "the device's write to a BIDIRECTIONAL mapping did not reach memory");
        return "TO_DEVICE: a read passed, a write faulted once as PERMISSION and reached no memory; FROM_DEVICE: writes"
                + " pass, " + fromRead + "; BIDIRECTIONAL: both pass";
    }

    private static long map(TestDevice d, long phys, DmaDirection dir, Rig rig) {
        long dma = d.api.mapPhys(phys, PAGE, dir, DmaAttrs.NONE);
        that(!d.api.mappingError(dma), () -> d + ": mapping a page " + dir + " failed; log: " + rig.admin.log(d.name));
        return dma;
    }
}
