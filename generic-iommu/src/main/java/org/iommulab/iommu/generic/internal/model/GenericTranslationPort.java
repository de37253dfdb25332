package org.iommulab.iommu.generic.internal.model;

import org.iommulab.api.backend.DmaDevice;
import org.iommulab.api.backend.TranslationPort;
import org.iommulab.api.platform.AccessType;

/** One device's wire into the generic IOMMU: every access is translated by the model. */
final class GenericTranslationPort implements TranslationPort {
    private final GenericIommuModel model;
    private final DmaDevice device;

    GenericTranslationPort(GenericIommuModel model, DmaDevice device) {
        this.model = model;
        this.device = device;
    }

    @Override
    public long translate(int streamId, long busAddr, AccessType access) {
        return model.translate(device, streamId, busAddr, access);
    }

    @Override
    public int pageShift() {
        return 12;
    }
}
