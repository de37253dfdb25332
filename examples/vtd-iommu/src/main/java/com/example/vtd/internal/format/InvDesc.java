package com.example.vtd.internal.format;

import org.iommulab.modelkit.regs.StructField;
import org.iommulab.modelkit.regs.StructLayout;

/**
 * The 128-bit invalidation descriptors this model executes (VT-d spec §6.5.2, "Queued
 * Invalidation Interface"), built by the driver as Linux's {@code qi_flush_context},
 * {@code qi_flush_iotlb} and {@code qi_submit_sync} build them ({@code drivers/iommu/intel/dmar.c},
 * {@code QI_*} in {@code iommu.h}) and checked by the model as QEMU's {@code vtd_process_*_desc}
 * check them ({@code VTD_INV_DESC_*_RSVD}).
 *
 * <pre>
 * type 1, context-cache invalidate (§6.5.2.1)
 *   qw0: TYPE [3:0] = 1, G [5:4] (1 global, 2 domain, 3 device), DID [31:16], SID [47:32],
 *        FM [49:48]                                      qw1: reserved
 * type 2, IOTLB invalidate (§6.5.2.3)
 *   qw0: TYPE = 2, G [5:4] (1 global, 2 domain, 3 page-selective), DW [6], DR [7], DID [31:16]
 *   qw1: AM [5:0] (2^AM pages), IH [6] (leaves only changed), ADDR [63:12]
 * type 5, invalidation wait (§6.5.2.8)
 *   qw0: TYPE = 5, IF [4] (interrupt), SW [5] (status write), FN [6] (fence),
 *        STATUS DATA [63:32]                             qw1: STATUS ADDRESS [63:2]
 * </pre>
 * Other types (device-TLB, interrupt entry cache, PASID-based) are not implemented by this
 * model (ECAP.DT, IR, PASID are 0): the model reports them as an invalidation queue error.
 */
public final class InvDesc {
    private InvDesc() {
    }

    public static final int SIZE = 16;

    public static final StructLayout LAYOUT = StructLayout.of("InvDesc", SIZE, "VT-d §6.5.2");
    public static final StructField TYPE = LAYOUT.range(0, "TYPE", 3, 0);
    public static final StructField G = LAYOUT.range(0, "G", 5, 4);

    public static final int TYPE_CC = 1;
    public static final int TYPE_IOTLB = 2;
    public static final int TYPE_WAIT = 5;

    /** Granularities (G) of both the context-cache and the IOTLB descriptor. */
    public static final int G_GLOBAL = 1;
    public static final int G_DOMAIN = 2;
    /** Context-cache: device-selective; IOTLB: page-selective. */
    public static final int G_DEVICE_OR_PAGE = 3;

    // Context-cache invalidate
    public static final StructField CC_DID = LAYOUT.range(0, "DID", 31, 16);
    public static final StructField CC_SID = LAYOUT.range(0, "SID", 47, 32);
    public static final StructField CC_FM = LAYOUT.range(0, "FM", 49, 48);
    public static final long CC_RSVD_LO = 0xfffc_0000_0000_ffc0L;

    // IOTLB invalidate
    public static final StructField IOTLB_DW = LAYOUT.bit(0, "DW", 6);
    public static final StructField IOTLB_DR = LAYOUT.bit(0, "DR", 7);
    public static final StructField IOTLB_DID = LAYOUT.range(0, "DID", 31, 16);
    public static final StructField IOTLB_AM = LAYOUT.range(1, "AM", 5, 0);
    public static final StructField IOTLB_IH = LAYOUT.bit(1, "IH", 6);
    public static final StructField IOTLB_ADDR = LAYOUT.range(1, "ADDR", 63, 12);
    public static final long IOTLB_RSVD_LO = 0xffff_ffff_0000_ff00L;
    public static final long IOTLB_RSVD_HI = 0xf80L;

    // Invalidation wait
    public static final StructField WAIT_IF = LAYOUT.bit(0, "IF", 4);
    public static final StructField WAIT_SW = LAYOUT.bit(0, "SW", 5);
    public static final StructField WAIT_FN = LAYOUT.bit(0, "FN", 6);
    public static final StructField WAIT_DATA = LAYOUT.range(0, "STATUS_DATA", 63, 32);
    public static final StructField WAIT_ADDR = LAYOUT.range(1, "STATUS_ADDR", 63, 2);
    public static final long WAIT_RSVD_LO = 0xffff_ff80L;
    public static final long WAIT_RSVD_HI = 0x3L;

    /** Linux's {@code desc_status} values: the wait descriptor writes QI_DONE. */
    public static final int QI_FREE = 0;
    public static final int QI_IN_USE = 1;
    public static final int QI_DONE = 2;

    /** qw0 of Linux {@code qi_flush_context(iommu, did, sid, fm, type)}. */
    public static long contextCache(int granularity, int did, int sid, int fm) {
        return CC_FM.of(fm) | CC_SID.of(sid) | CC_DID.of(did) | G.of(granularity) | TYPE.of(TYPE_CC);
    }

    /** qw0 of Linux {@code qi_flush_iotlb} (no read/write drain: CAP.DRD = DWD = 0). */
    public static long iotlb0(int granularity, int did) {
        return IOTLB_DID.of(did) | G.of(granularity) | TYPE.of(TYPE_IOTLB);
    }

    /** qw1 of a page-selective IOTLB invalidation: {@code QI_IOTLB_ADDR | QI_IOTLB_IH | QI_IOTLB_AM}. */
    public static long iotlb1(long addr, boolean ih, int am) {
        return IOTLB_ADDR.bits(addr) | (ih ? IOTLB_IH.mask() : 0) | IOTLB_AM.of(am);
    }

    /** qw0 of {@code qi_submit_sync}'s wait: {@code QI_IWD_STATUS_DATA(QI_DONE) | QI_IWD_STATUS_WRITE}. */
    public static long wait0(int statusData) {
        return WAIT_DATA.of(statusData & 0xffff_ffffL) | WAIT_SW.mask() | TYPE.of(TYPE_WAIT);
    }

    /** qw1 of a wait: the status address, dword aligned. */
    public static long wait1(long statusAddress) {
        if ((statusAddress & 3) != 0) {
            throw new IllegalArgumentException("a wait descriptor's status address is dword aligned, got 0x"
                    + Long.toHexString(statusAddress));
        }
        return statusAddress;
    }
}
