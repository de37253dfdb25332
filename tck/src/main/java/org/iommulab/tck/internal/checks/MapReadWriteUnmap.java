package org.iommulab.tck.internal.checks;

import static org.iommulab.tck.internal.Expect.data;
import static org.iommulab.tck.internal.Expect.hex;
import static org.iommulab.tck.internal.Expect.sameBytes;
import static org.iommulab.tck.internal.Expect.that;

import java.util.List;

import org.iommulab.api.dma.DmaAttrs;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.platform.Zone;
import org.iommulab.tck.internal.Rig;
import org.iommulab.tck.internal.TestDevice;

/** A device reads and writes a buffer through one streaming mapping. */
final class MapReadWriteUnmap extends RigCheck {
    MapReadWriteUnmap() {
        super("map-read-write-unmap", "dma_map_single(BIDIRECTIONAL) gives the device the buffer's bytes at the"
                + " returned handle, and after dma_unmap_single the CPU sees exactly what the device wrote there and"
                + " nothing outside it (Documentation/core-api/dma-api.rst; swiotlb_bounce copies the mapped bytes"
                + " only), for a trusted device and an untrusted one (which iommu-dma bounces when sub-page).");
    }

    @Override
    String run(Rig rig) throws Exception {
        int off = 0x123;
        int len = 2 * PAGE + 77;
        long seed = 1;
        for (TestDevice d : List.of(rig.device("rw"), rig.strictDevice("rw-untrusted"))) {
            long buf = rig.pages(3, Zone.NORMAL);
            rig.memory.fill(buf, 3 * PAGE, (byte) 0x5a);
            byte[] data = data(len, seed++);
            rig.memory.write(buf + off, data, 0, len);
            long dma = d.api.mapPhys(buf + off, len, DmaDirection.BIDIRECTIONAL, DmaAttrs.NONE);
            that(!d.api.mappingError(dma), () -> d + ": dma_map_single of " + len + " bytes at " + hex(buf + off)
                    + " failed; device log: " + rig.admin.log(d.name));
            byte[] seen = new byte[len];
            d.bus.read(dma, seen, 0, len);
            sameBytes(data, seen, d + ": what the device read at " + hex(dma) + " is not what the CPU wrote");
            byte[] reply = data(len, seed++);
            d.bus.write(dma, reply, 0, len);
            d.api.unmapPhys(dma, len, DmaDirection.BIDIRECTIONAL, DmaAttrs.NONE);
            byte[] back = new byte[len];
            rig.memory.read(buf + off, back, 0, len);
            sameBytes(reply, back, d + ": after dma_unmap_single the CPU does not see what the device wrote");
            byte[] before = new byte[off];
            rig.memory.read(buf, before, 0, off);
            sameBytes(filled(off), before, d + ": bytes before the mapped buffer changed");
            int tail = 3 * PAGE - off - len;
            byte[] after = new byte[tail];
            rig.memory.read(buf + off + len, after, 0, tail);
            sameBytes(filled(tail), after, d + ": bytes after the mapped buffer changed");
        }
        return "a trusted and an untrusted device each read " + len + " bytes at offset " + hex(off)
                + " through one mapping and wrote others back; the CPU saw them after unmap, the bytes around unchanged";
    }

    private static byte[] filled(int n) {
        byte[] b = new byte[n];
        java.util.Arrays.fill(b, (byte) 0x5a);
        return b;
    }
}
