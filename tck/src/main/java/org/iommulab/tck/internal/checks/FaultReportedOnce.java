package org.iommulab.tck.internal.checks;

import static org.iommulab.tck.internal.Expect.hex;
import static org.iommulab.tck.internal.Expect.that;

import org.iommulab.api.dma.DmaAttrs;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.platform.AccessType;
import org.iommulab.api.platform.DmaFault;
import org.iommulab.api.platform.FaultKind;
import org.iommulab.api.platform.Zone;
import org.iommulab.tck.internal.Rig;
import org.iommulab.tck.internal.TestDevice;

/** A fault is reported once, whether the IOTLB held the translation or a walk found the entry. */
final class FaultReportedOnce extends RigCheck {
    FaultReportedOnce() {
        super("fault-reported-once", "The hardware records each faulting access once (one SMMUv3 event record, one"
                + " SMMUv2 FSR/FAR capture, one VT-d fault record), whether the translation came from the IOTLB or from"
                + " a table walk: a write to a read-only page held in the IOTLB, a write to a read-only page never"
                + " accessed, and a read of an unmapped page each count one fault, with the right access type.");
    }

    @Override
    String run(Rig rig) throws Exception {
        rig.requireIsolation();
        TestDevice d = rig.strictDevice("once");
        long buf = rig.pages(3, Zone.NORMAL);
        long warm = map(rig, d, buf, DmaDirection.TO_DEVICE);
        long cold = map(rig, d, buf + PAGE, DmaDirection.TO_DEVICE);
        long gone = map(rig, d, buf + 2 * PAGE, DmaDirection.BIDIRECTIONAL);
        try {
            d.bus.readLong(warm);
            d.bus.readLong(warm + 8);
            for (int i = 0; i < 2; i++) {
                DmaFault f = d.expectFault("a write to a read-only page in the IOTLB (attempt " + (i + 1) + ")", warm, 8,
                        () -> d.bus.writeLong(warm, 1));
                check(f, AccessType.WRITE, FaultKind.PERMISSION, "the cached path");
            }
            DmaFault f = d.expectFault("a write to a read-only page never accessed", cold, 8, () -> d.bus.writeLong(cold, 1));
            check(f, AccessType.WRITE, FaultKind.PERMISSION, "the walk path");
            d.bus.readLong(gone);
        } finally {
            d.api.unmapPhys(warm, PAGE, DmaDirection.TO_DEVICE, DmaAttrs.NONE);
            d.api.unmapPhys(cold, PAGE, DmaDirection.TO_DEVICE, DmaAttrs.NONE);
            d.api.unmapPhys(gone, PAGE, DmaDirection.BIDIRECTIONAL, DmaAttrs.NONE);
        }
        DmaFault f = d.expectFault("a read of an unmapped page", gone, 8, () -> d.bus.readLong(gone));
        check(f, AccessType.READ, FaultKind.TRANSLATION, "an unmapped page");
        return "a permission fault on a cached translation (twice), one on a table walk, and a translation fault after"
                + " unmap were each reported exactly once with the right access and kind";
    }

    private static void check(DmaFault f, AccessType access, FaultKind kind, String path) {
        that(f.access() == access, () -> path + ": the fault says " + f.access() + " for a " + access + ": " + f);
        that(f.kind() == kind, () -> path + ": the fault is " + f.kind() + ", not " + kind + ": " + f);
    }

    private static long map(Rig rig, TestDevice d, long phys, DmaDirection dir) {
        long dma = d.api.mapPhys(phys, PAGE, dir, DmaAttrs.NONE);
        that(!d.api.mappingError(dma), () -> d + ": mapping a page " + dir + " at " + hex(phys) + " failed; log: "
                + rig.admin.log(d.name));
        return dma;
    }
}
