package org.iommulab.tck.internal.checks;

import static org.iommulab.tck.internal.Expect.hex;
import static org.iommulab.tck.internal.Expect.that;

import org.iommulab.api.dma.DmaAttrs;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.dma.DmaErrno;
import org.iommulab.api.dma.DmaMasks;
import org.iommulab.api.platform.Zone;
import org.iommulab.tck.internal.Rig;
import org.iommulab.tck.internal.TestDevice;

/** A mask no memory fits is refused, or every mapping under it fails. */
final class ImpossibleMask extends RigCheck {
    ImpossibleMask() {
        super("impossible-mask", "dma_set_mask with a 12-bit mask either fails with -EIO (dma_supported is false,"
                + " dma-direct) or is accepted and every mapping then returns DMA_MAPPING_ERROR: a handle never exceeds"
                + " the device's mask (dma_capable; iommu-dma allocates IOVAs below the mask and has none to give).");
    }

    @Override
    String run(Rig rig) throws Exception {
        TestDevice d = rig.device("mask12");
        long buf = rig.pages(1, Zone.NORMAL);
        int rc = d.api.setMask(DmaMasks.bits(12));
        String what;
        try {
            if (rc == 0) {
                long dma = d.api.mapPhys(buf, PAGE, DmaDirection.TO_DEVICE, DmaAttrs.NO_WARN);
                if (!d.api.mappingError(dma)) {
                    d.api.unmapPhys(dma, PAGE, DmaDirection.TO_DEVICE, DmaAttrs.NONE);
                }
                that(d.api.mappingError(dma), () -> "a 12-bit mask was accepted and a page was mapped at " + hex(dma));
                what = "the 12-bit mask was accepted and the mapping failed with DMA_MAPPING_ERROR";
            } else {
                that(rc == DmaErrno.EIO, () -> "dma_set_mask(12 bits) returned " + rc + ", not 0 or -EIO");
                what = "dma_set_mask(12 bits) was refused with -EIO";
            }
        } finally {
            int back = d.api.setMask(DmaMasks.bits(64));
            that(back == 0, () -> "dma_set_mask(64 bits) afterwards returned " + back);
        }
        return what;
    }
}
