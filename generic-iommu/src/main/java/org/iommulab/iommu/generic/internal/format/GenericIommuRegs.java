package org.iommulab.iommu.generic.internal.format;

import static org.iommulab.modelkit.regs.Access.RO;
import static org.iommulab.modelkit.regs.Access.RW;
import static org.iommulab.modelkit.regs.Access.W1C;
import static org.iommulab.modelkit.regs.Access.WO;

import java.util.List;

import org.iommulab.modelkit.regs.Field;
import org.iommulab.modelkit.regs.Register;
import org.iommulab.modelkit.regs.RegisterBlock;

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

    private static final String S = "iommulab generic IOMMU register map: ";

    public static final Field IDR_IAS = Field.range("IAS", 7, 0);
    public static final Field IDR_OAS = Field.range("OAS", 15, 8);
    public static final Field IDR_GRAN4K = Field.bit("GRAN4K", 16);
    public static final Field IDR_SIDBITS = Field.range("SIDBITS", 28, 24);
    public static final Register IDR = Register.r64("IDR", 0x00, RO, S + "IDR").fields(IDR_IAS, IDR_OAS, IDR_GRAN4K,
            IDR_SIDBITS);

    public static final Field CTRL_EN = Field.bit("EN", 0);
    public static final Register CTRL = Register.r64("CTRL", 0x08, RW, S + "CTRL").fields(CTRL_EN);

    public static final Field DT_BASE_ADDR = Field.range("ADDR", 51, 12);
    public static final Register DT_BASE = Register.r64("DT_BASE", 0x10, RW, S + "DT_BASE").fields(DT_BASE_ADDR);
    public static final Field DT_LOG2SIZE_VALUE = Field.range("LOG2SIZE", 4, 0);
    public static final Register DT_LOG2SIZE = Register.r64("DT_LOG2SIZE", 0x18, RW, S + "DT_LOG2SIZE")
            .fields(DT_LOG2SIZE_VALUE);

    public static final Register CMD_ADDR = Register.r64("CMD_ADDR", 0x20, RW, S + "CMD_ADDR");
    public static final Register CMD_SIZE = Register.r64("CMD_SIZE", 0x28, RW, S + "CMD_SIZE");
    public static final Field CMD_OP = Field.range("OP", 3, 0);
    public static final Field CMD_DID = Field.range("DID", 31, 16);
    public static final Field CMD_SID = Field.range("SID", 63, 32);
    public static final Register CMD = Register.r64("CMD", 0x30, WO, S + "CMD").fields(CMD_OP, CMD_DID, CMD_SID);
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

    public static final Field STATUS_CMD_ERR = Field.bit("CMD_ERR", 0);
    public static final Register STATUS = Register.r64("STATUS", 0x38, W1C, S + "STATUS").fields(STATUS_CMD_ERR);
    public static final Register FAULT_COUNT = Register.r64("FAULT_COUNT", 0x40, RO, S + "FAULT_COUNT");

    /** Bytes of register space. */
    public static final int SIZE = 0x48;
    public static final List<Register> ALL = List.of(IDR, CTRL, DT_BASE, DT_LOG2SIZE, CMD_ADDR, CMD_SIZE, CMD, STATUS,
            FAULT_COUNT);
    /** The decode of the register space by offset. */
    public static final RegisterBlock BLOCK = RegisterBlock.of("generic IOMMU", SIZE, ALL);

    /** A CMD value. */
    public static long cmd(int op, int did, int sid) {
        return CMD_OP.of(op) | CMD_DID.of(did) | CMD_SID.of(sid & 0xffff_ffffL);
    }

    public static int cmdOp(long cmd) {
        return CMD_OP.getInt(cmd);
    }

    public static int cmdDid(long cmd) {
        return CMD_DID.getInt(cmd);
    }

    public static int cmdSid(long cmd) {
        return CMD_SID.getInt(cmd);
    }

    /** An IDR value. */
    public static long idr(int iasBits, int oasBits, int sidBits) {
        return IDR_IAS.of(iasBits) | IDR_OAS.of(oasBits) | IDR_GRAN4K.mask() | IDR_SIDBITS.of(sidBits);
    }

    public static int idrIas(long idr) {
        return IDR_IAS.getInt(idr);
    }

    public static int idrOas(long idr) {
        return IDR_OAS.getInt(idr);
    }

    public static int idrSidBits(long idr) {
        return IDR_SIDBITS.getInt(idr);
    }
}
