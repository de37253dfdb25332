package org.iommulab.iommu.generic.internal.format;

/**
 * Register layout of the generic IOMMU, declared once for its model and its driver. The
 * generic IOMMU is this project's own minimal design for platforms without an SMMU, in the
 * spirit of AMD-Vi (a device table in memory indexed by stream ID) and VT-d's register-based
 * invalidation: 64-bit registers, every command executed synchronously when {@link #CMD} is
 * written.
 *
 * <pre>
 * offset  name          access  fields
 * 0x00    IDR           RO      [7:0] IAS bits, [15:8] OAS bits, [16] 4 KiB granule, [28:24] stream ID bits
 * 0x08    CTRL          RW      [0] EN: translate (0: every access aborts, stream disabled)
 * 0x10    DT_BASE       RW      [51:12] device table base (4 KiB aligned)
 * 0x18    DT_LOG2SIZE   RW      [4:0] log2 of the device table's entries
 * 0x20    CMD_ADDR      RW      first IOVA of INV_RANGE
 * 0x28    CMD_SIZE      RW      bytes of INV_RANGE
 * 0x30    CMD           WO      [3:0] opcode, [31:16] domain ID, [63:32] stream ID; executes on write
 * 0x38    STATUS        RO/W1C  [0] CMD_ERR (illegal command)
 * 0x40    FAULT_COUNT   RO      faults recorded since reset
 * </pre>
 */
public final class GenericIommuRegs {
    private GenericIommuRegs() {
    }

    public static final int IDR = 0x00;
    public static final int CTRL = 0x08;
    public static final int DT_BASE = 0x10;
    public static final int DT_LOG2SIZE = 0x18;
    public static final int CMD_ADDR = 0x20;
    public static final int CMD_SIZE = 0x28;
    public static final int CMD = 0x30;
    public static final int STATUS = 0x38;
    public static final int FAULT_COUNT = 0x40;
    /** Bytes of register space. */
    public static final int SIZE = 0x48;

    // IDR
    public static final int IDR_IAS_SHIFT = 0;
    public static final int IDR_OAS_SHIFT = 8;
    public static final long IDR_GRAN4K = 1L << 16;
    public static final int IDR_SIDBITS_SHIFT = 24;
    public static final long IDR_SIDBITS_MASK = 0x1f;

    // CTRL
    public static final long CTRL_EN = 1L;

    // DT_BASE, DT_LOG2SIZE
    public static final long DT_BASE_MASK = 0x000f_ffff_ffff_f000L;
    public static final long DT_LOG2SIZE_MASK = 0x1f;

    // CMD
    public static final long CMD_OP_MASK = 0xf;
    public static final int CMD_DID_SHIFT = 16;
    public static final long CMD_DID_MASK = 0xffff;
    public static final int CMD_SID_SHIFT = 32;
    /** Invalidate every IOTLB entry and every cached device-table entry. */
    public static final int OP_INV_ALL = 1;
    /** Invalidate the IOTLB entries of one domain ID. */
    public static final int OP_INV_DOMAIN = 2;
    /** Invalidate one domain's IOTLB entries overlapping [CMD_ADDR, CMD_ADDR + CMD_SIZE). */
    public static final int OP_INV_RANGE = 3;
    /** Drop the cached decode of one stream's device-table entry. */
    public static final int OP_INV_DTE = 4;
    /** Wait for earlier commands: a no-op, as every command completes when written. */
    public static final int OP_SYNC = 5;

    // STATUS
    public static final long STATUS_CMD_ERR = 1L;

    /** A CMD value. */
    public static long cmd(int op, int did, int sid) {
        return (op & CMD_OP_MASK) | ((did & CMD_DID_MASK) << CMD_DID_SHIFT) | ((long) sid << CMD_SID_SHIFT);
    }

    public static int cmdOp(long cmd) {
        return (int) (cmd & CMD_OP_MASK);
    }

    public static int cmdDid(long cmd) {
        return (int) ((cmd >>> CMD_DID_SHIFT) & CMD_DID_MASK);
    }

    public static int cmdSid(long cmd) {
        return (int) (cmd >>> CMD_SID_SHIFT);
    }

    /** An IDR value. */
    public static long idr(int iasBits, int oasBits, int sidBits) {
        return ((long) iasBits << IDR_IAS_SHIFT) | ((long) oasBits << IDR_OAS_SHIFT) | IDR_GRAN4K
                | ((long) sidBits << IDR_SIDBITS_SHIFT);
    }

    public static int idrIas(long idr) {
        return (int) ((idr >>> IDR_IAS_SHIFT) & 0xff);
    }

    public static int idrOas(long idr) {
        return (int) ((idr >>> IDR_OAS_SHIFT) & 0xff);
    }

    public static int idrSidBits(long idr) {
        return (int) ((idr >>> IDR_SIDBITS_SHIFT) & IDR_SIDBITS_MASK);
    }
}
