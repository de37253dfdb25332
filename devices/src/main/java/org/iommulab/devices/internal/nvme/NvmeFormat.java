package org.iommulab.devices.internal.nvme;

/**
 * The NVMe structures this model uses, from the NVM Express Base Specification 1.4: the
 * 64-byte submission queue entry (§4.2), the 16-byte completion queue entry (§4.6), the NVM
 * command set's Read and Write (§6.9, §6.15) and the generic status codes (Figure 126).
 */
public final class NvmeFormat {
    /** Memory page size the controller is set to (CC.MPS = 0): PRP entries describe 4 KiB pages. */
    public static final int PAGE = 4096;
    /** Logical block size of the namespace. */
    public static final int LBA = 512;

    // ---- submission queue entry ----
    public static final int SQE_SIZE = 64;
    /** CDW0: opcode [7:0], PSDT [15:14] (0: PRPs), CID [31:16]. */
    public static final int SQE_CDW0 = 0;
    public static final int SQE_NSID = 4;
    public static final int SQE_PRP1 = 24;
    public static final int SQE_PRP2 = 32;
    /** CDW10-11: starting LBA. */
    public static final int SQE_SLBA = 40;
    /** CDW12 [15:0]: number of logical blocks, 0's based. */
    public static final int SQE_NLB = 48;

    public static final int OPC_WRITE = 0x01;
    public static final int OPC_READ = 0x02;

    // ---- completion queue entry ----
    public static final int CQE_SIZE = 16;
    /** DW2: SQ head pointer [15:0], SQ identifier [31:16]. */
    public static final int CQE_DW2 = 8;
    /** DW3: CID [15:0], phase tag [16], status field [31:17] (SC [24:17], SCT [27:25]). */
    public static final int CQE_DW3 = 12;

    // ---- generic command status (SCT 0) ----
    public static final int SC_SUCCESS = 0x00;
    public static final int SC_INVALID_OPCODE = 0x01;
    public static final int SC_INVALID_FIELD = 0x02;
    public static final int SC_DATA_TRANSFER_ERROR = 0x04;
    public static final int SC_INVALID_PRP_OFFSET = 0x13;
    public static final int SC_LBA_OUT_OF_RANGE = 0x80;

    private NvmeFormat() {
    }

    /** Name of a status code, for messages. */
    public static String statusName(int sc) {
        switch (sc) {
            case SC_SUCCESS: return "Successful Completion";
            case SC_INVALID_OPCODE: return "Invalid Command Opcode";
            case SC_INVALID_FIELD: return "Invalid Field in Command";
            case SC_DATA_TRANSFER_ERROR: return "Data Transfer Error";
            case SC_INVALID_PRP_OFFSET: return "PRP Offset Invalid";
            case SC_LBA_OUT_OF_RANGE: return "LBA Out of Range";
            default: return String.format("status 0x%x", sc);
        }
    }
}
