package org.iommulab.api.platform;

/**
 * What went wrong in a device access, in terms shared by the architectures. The hardware
 * record (SMMUv3 event, SMMUv2 FSR/FAR/FSYNR) travels in {@link DmaFault#syndrome()}.
 */
public enum FaultKind {
    /** No valid translation (SMMUv3 F_TRANSLATION, SMMUv2 FSR.TF). */
    TRANSLATION,
    /** Output or input address beyond the configured size (F_ADDR_SIZE, FSR.ASF). */
    ADDRESS_SIZE,
    /** Access flag clear with no hardware update (F_ACCESS, FSR.AFF). */
    ACCESS_FLAG,
    /** The mapping does not allow this access (F_PERMISSION, FSR.PF). */
    PERMISSION,
    /** The stream ID is out of the stream table's range (C_BAD_STREAMID). */
    BAD_STREAM_ID,
    /** A stream matched no stream mapping (SMMUv2 sGFSR.USF, SMMUv3 F_UUT). */
    UNIDENTIFIED_STREAM,
    /** A stream matched more than one stream mapping (SMMUv2 multiple SMR match). */
    STREAM_MATCH_CONFLICT,
    /** The stream's configuration is invalid (C_BAD_STE, C_BAD_CD, a bad context bank). */
    BAD_CONFIG,
    /** The stream is configured to abort or fault every access (STE.Config abort, S2CR fault). */
    STREAM_DISABLED,
    /** A fetch of tables or descriptors from memory failed (F_WALK_EABT, F_STE_FETCH, F_CD_FETCH). */
    FETCH_ABORT,
    /** The translated address is not RAM or not reachable by the device (external abort). */
    EXTERNAL_ABORT,
    /** More than one TLB entry matched (F_TLB_CONFLICT, FSR.TLBMCF). */
    TLB_CONFLICT,
    /**
     * DMA after driver release: the access came through the bus master of a driver that was
     * released since (its device was swapped or unbound), as a device that keeps doing DMA after
     * its driver's remove. The platform refuses it before any translation: it reaches no memory
     * on any backend. Not an IOMMU's record: the platform raises it for every backend.
     */
    DMA_AFTER_RELEASE
}
