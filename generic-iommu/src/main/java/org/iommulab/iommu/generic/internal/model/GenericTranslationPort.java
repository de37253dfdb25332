package org.iommulab.iommu.generic.internal.model;

import org.iommulab.api.backend.DmaDevice;
import org.iommulab.api.backend.TranslationPort;
import org.iommulab.api.platform.AccessType;

/** One device's wire into the generic IOMMU: every access is translated by the model. */
final class GenericTranslationPort implements TranslationPort {
    /** The 4 KiB granule: the block a translation holds for. */
    static final int PAGE_SHIFT = 12;

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

    /** A run under one hold of the model's lock; see {@link GenericIommuModel#translateRun}. */
    @Override
    public int translateRun(int streamId, long busAddr, AccessType access, long[] frames, int count) {
        TranslationPort.checkRun(frames, count);
        return model.translateRun(device, streamId, busAddr, access, frames, count);
    }

    @Override
    public int pageShift() {
        return PAGE_SHIFT;
    }
}
