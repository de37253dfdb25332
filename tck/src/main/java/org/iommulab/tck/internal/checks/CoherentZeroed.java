package org.iommulab.tck.internal.checks;

import static org.iommulab.tck.internal.Expect.hex;
import static org.iommulab.tck.internal.Expect.that;

import org.iommulab.api.dma.CoherentAllocation;
import org.iommulab.api.dma.DmaMasks;
import org.iommulab.tck.internal.Dirt;
import org.iommulab.tck.internal.Expect;
import org.iommulab.tck.internal.Rig;
import org.iommulab.tck.internal.TestDevice;

/** Coherent memory comes zeroed, within the coherent mask, shared without syncs. */
final class CoherentZeroed extends RigCheck {
    static final int SIZE = 10_000;

    CoherentZeroed() {
        super("coherent-zeroed", "dma_alloc_coherent returns zeroed memory (since Linux 5.0, whatever the allocator"
                + " held there before), with a handle that fits the coherent DMA mask, and the CPU and the device see"
                + " each other's writes without any sync (Documentation/core-api/dma-api.rst, part Ia).");
    }

    @Override
    String run(Rig rig) throws Exception {
        TestDevice d = rig.device("coherent");
        Dirt.dirty(rig.allocator, rig.memory, 0xa5a5_a5a5_a5a5_a5a5L);
        check(rig, d, DmaMasks.bits(64));
        int rc = d.api.setCoherentMask(DmaMasks.bits(32));
        String narrow;
        if (rc == 0) {
            Dirt.dirty(rig.allocator, rig.memory, 0x5a5a_5a5a_5a5a_5a5aL);
            check(rig, d, DmaMasks.bits(32));
            narrow = "; with a 32-bit coherent mask too";
        } else {
            narrow = "; a 32-bit coherent mask was refused (" + rc + ")";
        }
        return "a " + SIZE + "-byte buffer over dirtied free pages came back zeroed, within the mask, shared both ways"
                + " without syncs" + narrow;
    }

    private static void check(Rig rig, TestDevice d, long mask) {
        CoherentAllocation buf = d.api.allocCoherent(SIZE);
        that(buf != null, () -> d + ": dma_alloc_coherent(" + SIZE + ") failed; log: " + rig.admin.log(d.name));
        try {
            byte[] got = new byte[SIZE];
            rig.memory.read(buf.cpuAddress(), got, 0, SIZE);
            int first = Expect.firstDifference(new byte[SIZE], got);
            that(first < 0, () -> "coherent memory at " + hex(buf.cpuAddress()) + " is not zeroed: byte " + first + " is "
                    + hex(got[first] & 0xff));
            long last = buf.dmaHandle() + SIZE - 1;
            that(Long.compareUnsigned(last, mask) <= 0, () -> "the handle " + hex(buf.dmaHandle()) + "+" + SIZE
                    + " does not fit the coherent mask " + hex(mask));
            d.bus.writeLong(buf.dmaHandle() + 8, 0x1122_3344_5566_7788L);
            that(rig.memory.readLong(buf.cpuAddress() + 8) == 0x1122_3344_5566_7788L,
                    "the CPU does not see the device's write to coherent memory");
            rig.memory.writeInt(buf.cpuAddress() + 100, 0xcafe);
            that(d.bus.readInt(buf.dmaHandle() + 100) == 0xcafe, "the device does not see the CPU's write to coherent memory");
            d.bus.writeLong(buf.dmaHandle() + SIZE - 8, 0x99L);
            that(rig.memory.readLong(buf.cpuAddress() + SIZE - 8) == 0x99L,
                    "the device's write to the last bytes of coherent memory did not reach the CPU's view");
        } finally {
            d.api.freeCoherent(buf);
        }
    }
}
