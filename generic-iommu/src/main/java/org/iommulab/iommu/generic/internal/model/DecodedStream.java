package org.iommulab.iommu.generic.internal.model;

import org.iommulab.api.platform.FaultKind;
import org.iommulab.api.platform.FaultOrigin;
import org.iommulab.iopgtable.lpae.LpaeTranslationConfig;

/**
 * One stream's device-table entry after decoding: either the domain ID and the translation
 * config the walker and IOTLB consume, or why the entry cannot be used. Immutable; the model
 * caches valid ones until the driver invalidates them ({@code INV_DTE}, {@code INV_ALL}).
 */
final class DecodedStream {
    final int did;
    final LpaeTranslationConfig config;
    final FaultKind errorKind;
    final FaultOrigin errorOrigin;
    final String errorDetail;

    private DecodedStream(int did, LpaeTranslationConfig config, FaultKind kind, FaultOrigin origin, String detail) {
        this.did = did;
        this.config = config;
        this.errorKind = kind;
        this.errorOrigin = origin;
        this.errorDetail = detail;
    }

    static DecodedStream valid(int did, LpaeTranslationConfig config) {
        return new DecodedStream(did, config, null, null, null);
    }

    static DecodedStream error(FaultKind kind, FaultOrigin origin, String detail) {
        return new DecodedStream(-1, null, kind, origin, detail);
    }

    boolean isValid() {
        return config != null;
    }
}
