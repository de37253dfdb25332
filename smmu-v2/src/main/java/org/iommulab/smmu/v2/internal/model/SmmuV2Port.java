package org.iommulab.smmu.v2.internal.model;

import org.iommulab.api.backend.TranslationPort;
import org.iommulab.api.platform.AccessType;

/**
 * A device's entry into the SMMU: every access it makes goes through
 * {@link SmmuV2Model#translate} with the stream ID it carries, or a run of its blocks through
 * {@link SmmuV2Model#translateRun} under one hold of the model's lock. A translation holds for the
 * smallest granule the SMMU supports, the largest block every context's result is sure to
 * cover.
 */
final class SmmuV2Port implements TranslationPort {
    private final SmmuV2Model model;
    private final String device;
    private final int pageShift;

    SmmuV2Port(SmmuV2Model model, String device, int pageShift) {
        this.model = model;
        this.device = device;
        this.pageShift = pageShift;
    }

    @Override
    public long translate(int streamId, long busAddr, AccessType access) {
        return model.translate(device, streamId, busAddr, access);
    }

    @Override
    public int translateRun(int streamId, long busAddr, AccessType access, long[] frames, int count) {
        TranslationPort.checkRun(frames, count);
        return model.translateRun(device, streamId, busAddr, access, frames, count, pageShift);
    }

    @Override
    public int pageShift() {
        return pageShift;
    }

    @Override
    public String toString() {
        return "smmu-v2 port of " + device;
    }
}
