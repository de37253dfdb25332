package org.iommulab.api.platform;

/**
 * What went wrong in a device access, in terms shared by the architectures. The hardware
 * record (SMMUv3 event, SMMUv2 FSR/FAR/FSYNR, a VT-d fault reason and its fault recording
 * register) travels in {@link DmaFault#syndrome()}.
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
    /**
     * A fetch of a translation structure from memory failed: a page-table walk abort (SMMUv3
     * F_WALK_EABT, SMMUv2 FSR.EF, VT-d fault reason 7h, a RISC-V IOMMU load access fault) or a
     * device- or context-table fetch (F_STE_FETCH, F_CD_FETCH; VT-d 8h, 9h, 50h, 58h; RISC-V
     * causes 257, 265). The syndrome says which structure, in the architecture's terms.
     */
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
    DMA_AFTER_RELEASE,
    /**
     * The device's entry in the device table is not valid: VT-d root or context entry with
     * P = 0 (fault reasons 1h, 2h), RISC-V IOMMU device context not valid (cause 258). Where the
     * architecture defines an invalid entry as misprogramming, the model reports
     * {@link #BAD_CONFIG} (SMMUv3 STE.V = 0 is C_BAD_STE); where it defines it as a blocked
     * device, {@link #STREAM_DISABLED}.
     *
     * @since 1.1
     */
    DEVICE_ENTRY_INVALID,
    /**
     * The entry selecting the device's address space by PASID (SubstreamID, process ID) is not
     * valid: VT-d scalable-mode PASID-directory or PASID-table entry with P = 0 (fault reasons
     * 51h, 59h), RISC-V IOMMU process context not valid (cause 266). SMMUv3 reports a CD with
     * V = 0 as C_BAD_CD ({@link #BAD_CONFIG}).
     *
     * @since 1.1
     */
    PASID_ENTRY_INVALID
}
