package org.iommulab.smmu.v3.internal.model;

import java.util.function.Consumer;

import org.iommulab.api.backend.TranslationPort;
import org.iommulab.api.platform.AccessType;
import org.iommulab.api.platform.DmaFault;

/**
 * One device's port into the SMMU model: its transactions, tagged with the StreamID the bus
 * gives, go through {@link SmmuV3Model#translate}. Faults are reported to the device's sink
 * at the moment the model records them, before the access aborts. Keeps the device's IOTLB hit
 * and miss counts. Translation blocks are the smallest granule the SMMU supports.
 */
public final class ModelPort implements TranslationPort {
    private final SmmuV3Model model;
    private final String deviceName;
    private final Consumer<DmaFault> reporter;
    private final int pageShift;
    // Updated under the model's lock.
    long hits;
    long misses;
    long faults;

    ModelPort(SmmuV3Model model, String deviceName, Consumer<DmaFault> reporter, int pageShift) {
        this.model = model;
        this.deviceName = deviceName;
        this.reporter = reporter;
        this.pageShift = pageShift;
    }

    @Override
    public long translate(int streamId, long busAddr, AccessType access) {
        return model.translate(this, streamId, busAddr, access);
    }

    /** A run under one hold of the model's lock; see {@code Translator.translateRun}. */
    @Override
    public int translateRun(int streamId, long busAddr, AccessType access, long[] frames, int count) {
        TranslationPort.checkRun(frames, count);
        return model.translateRun(this, streamId, busAddr, access, frames, count, pageShift);
    }

    @Override
    public int pageShift() {
        return pageShift;
    }

    public String deviceName() {
        return deviceName;
    }

    void report(DmaFault fault) {
        reporter.accept(fault);
    }

    /** Translations served by the IOTLB. */
    public long hits() {
        synchronized (model.lock) {
            return hits;
        }
    }

    /** Translations that needed a walk. */
    public long misses() {
        synchronized (model.lock) {
            return misses;
        }
    }

    /** Transactions that aborted. */
    public long faults() {
        synchronized (model.lock) {
            return faults;
        }
    }
}
