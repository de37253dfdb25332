package org.iommulab.tck.internal.checks;

import static org.iommulab.tck.internal.Expect.hex;
import static org.iommulab.tck.internal.Expect.that;

import org.iommulab.api.dma.DmaAttrs;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.platform.Zone;
import org.iommulab.tck.internal.Rig;
import org.iommulab.tck.internal.TestDevice;

/** One device never reaches another device's mappings. */
final class IsolationBetweenDevices extends RigCheck {
    static final long A1 = 0xaaaa_0001L;
    static final long A2 = 0xaaaa_0002L;
    static final long B = 0xbbbb_0001L;

    IsolationBetweenDevices() {
        super("isolation-between-devices", "Each device has its own I/O address space (a default domain per device"
                + " group, iommu_setup_default_domain): a device's access at an address another device mapped faults,"
                + " or, where its own mapping has the same IOVA, reaches its own buffer, never the other device's,"
                + " even while the other's translation is in the IOTLB.");
    }

    @Override
    String run(Rig rig) throws Exception {
        rig.requireIsolation();
        TestDevice a = rig.strictDevice("iso-a");
        TestDevice b = rig.strictDevice("iso-b");
        long pa = rig.pages(2, Zone.NORMAL);
        long pb = rig.pages(1, Zone.NORMAL);
        rig.memory.writeLong(pa, A1);
        rig.memory.writeLong(pa + PAGE, A2);
        rig.memory.writeLong(pb, B);
        long da1 = map(rig, a, pa);
        long da2 = map(rig, a, pa + PAGE);
        long db = map(rig, b, pb);
        int faulted = 0;
        int own = 0;
        try {
            that(a.bus.readLong(da1) == A1 && a.bus.readLong(da2) == A2, "device A read wrong data through its mappings");
            for (long addr : new long[] {da1, da2}) {
                if (addr >= db && addr < db + PAGE) {
                    long got = b.bus.readLong(addr);
                    that(got == B, () -> "device B read " + hex(got) + " at " + hex(addr) + ", which is its own mapping of"
                            + " a page holding " + hex(B) + " and device A's of a page holding "
                            + hex(addr == da1 ? A1 : A2) + ": it reached A's page (a translation shared across domains)");
                    own++;
                } else {
                    b.expectFault("device B's read at device A's handle " + hex(addr), addr, 8, () -> b.bus.readLong(addr));
                    faulted++;
                }
            }
            that(a.bus.readLong(da1) == A1, "device A's mapping changed after device B's accesses");
            that(b.bus.readLong(db) == B, "device B read wrong data through its own mapping");
        } finally {
            a.api.unmapPhys(da1, PAGE, DmaDirection.BIDIRECTIONAL, DmaAttrs.NONE);
            a.api.unmapPhys(da2, PAGE, DmaDirection.BIDIRECTIONAL, DmaAttrs.NONE);
            b.api.unmapPhys(db, PAGE, DmaDirection.BIDIRECTIONAL, DmaAttrs.NONE);
        }
        return "device B's reads at device A's 2 warm handles: " + faulted + " faulted once each, " + own
                + " hit B's own mapping at the same IOVA and read B's page";
    }

    private static long map(Rig rig, TestDevice d, long phys) {
        long dma = d.api.mapPhys(phys, PAGE, DmaDirection.BIDIRECTIONAL, DmaAttrs.NONE);
        that(!d.api.mappingError(dma), () -> d + ": dma_map_single failed; log: " + rig.admin.log(d.name));
        return dma;
    }
}
