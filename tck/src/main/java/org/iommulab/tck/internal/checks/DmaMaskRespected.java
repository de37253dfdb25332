package org.iommulab.tck.internal.checks;

import static org.iommulab.tck.internal.Expect.data;
import static org.iommulab.tck.internal.Expect.hex;
import static org.iommulab.tck.internal.Expect.sameBytes;
import static org.iommulab.tck.internal.Expect.that;

import org.iommulab.api.dma.DmaAttrs;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.dma.DmaMasks;
import org.iommulab.api.platform.PageAllocator;
import org.iommulab.api.platform.Zone;
import org.iommulab.tck.NotApplicable;
import org.iommulab.tck.internal.Rig;
import org.iommulab.tck.internal.TestDevice;

/** A 32-bit device reaches memory above 4 GiB only through a handle below its mask. */
final class DmaMaskRespected extends RigCheck {
    DmaMaskRespected() {
        super("dma-mask-respected", "A mapping for a device with a 32-bit mask never returns a handle above 4 GiB, even"
                + " for a buffer above it: dma-direct bounces through swiotlb (or fails with DMA_MAPPING_ERROR),"
                + " iommu-dma allocates the IOVA below the mask (iommu_dma_alloc_iova); the data crosses both ways.");
    }

    @Override
    String run(Rig rig) throws Exception {
        if (rig.allocator.freeBytes(Zone.HIGH) < 2 * PageAllocator.PAGE_SIZE) {
            throw new NotApplicable("the platform has no free RAM above 4 GiB");
        }
        TestDevice d = rig.device("mask32", b -> b.dmaMask(DmaMasks.bits(32)));
        long buf = rig.pages(1, Zone.HIGH);
        byte[] bytes = data(PAGE, 21);
        rig.memory.write(buf, bytes, 0, PAGE);
        long dma = d.api.mapPhys(buf, PAGE, DmaDirection.BIDIRECTIONAL, DmaAttrs.NO_WARN);
        if (d.api.mappingError(dma)) {
            return "a 32-bit device's mapping of a page at " + hex(buf) + " was refused with DMA_MAPPING_ERROR";
        }
        try {
            that(Long.compareUnsigned(dma + PAGE - 1, DmaMasks.bits(32)) <= 0, () -> "a 32-bit device got the handle "
                    + hex(dma) + " for a page at " + hex(buf));
            byte[] seen = new byte[PAGE];
            d.bus.read(dma, seen, 0, PAGE);
            sameBytes(bytes, seen, "the device read the wrong bytes at " + hex(dma));
            d.bus.writeLong(dma, 0x3232_3232L);
        } finally {
            d.api.unmapPhys(dma, PAGE, DmaDirection.BIDIRECTIONAL, DmaAttrs.NONE);
        }
        that(rig.memory.readLong(buf) == 0x3232_3232L, "the device's write did not reach the page above 4 GiB");
        return "a 32-bit device's mapping of a page at " + hex(buf) + " got handle " + hex(dma)
                + " below its mask and carried the data both ways";
    }
}
