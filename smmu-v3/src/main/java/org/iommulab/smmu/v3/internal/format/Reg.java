package org.iommulab.smmu.v3.internal.format;

/**
 * The SMMUv3 registers this model implements, declared once: offset in the 128 KiB register
 * frame (page 0 at 0, page 1 at 0x10000), width, and whether software may write it, as the
 * register overview of IHI0070 §6.2 lists them (field layouts in {@link RegFields}, formats in
 * §6.3 under each register's name). The driver and the model both address registers only
 * through these constants.
 *
 * <p>Not implemented, so absent (an access to them is refused): the PRI queue registers
 * (IDR0.PRI = 0), GATOS/VATOS, S2PII, AGBPA, the Secure and Realm banks, ECMDQ pages, the
 * PMCG and the IMPLEMENTATION DEFINED ID_REGS space, and the optional page-0 aliases of
 * EVENTQ_PROD/CONS at 0xa8/0xac (§6.2.1 allows "RAZ/WI" or an alias; Linux uses page 1).
 */
public enum Reg {
    IDR0(0x0000, 32, false),
    IDR1(0x0004, 32, false),
    IDR2(0x0008, 32, false),
    IDR3(0x000c, 32, false),
    IDR4(0x0010, 32, false),
    IDR5(0x0014, 32, false),
    IIDR(0x0018, 32, false),
    AIDR(0x001c, 32, false),
    CR0(0x0020, 32, true),
    CR0ACK(0x0024, 32, false),
    CR1(0x0028, 32, true),
    CR2(0x002c, 32, true),
    STATUSR(0x0040, 32, false),
    GBPA(0x0044, 32, true),
    IRQ_CTRL(0x0050, 32, true),
    IRQ_CTRLACK(0x0054, 32, false),
    GERROR(0x0060, 32, false),
    GERRORN(0x0064, 32, true),
    GERROR_IRQ_CFG0(0x0068, 64, true),
    GERROR_IRQ_CFG1(0x0070, 32, true),
    GERROR_IRQ_CFG2(0x0074, 32, true),
    STRTAB_BASE(0x0080, 64, true),
    STRTAB_BASE_CFG(0x0088, 32, true),
    CMDQ_BASE(0x0090, 64, true),
    CMDQ_PROD(0x0098, 32, true),
    CMDQ_CONS(0x009c, 32, true),
    EVENTQ_BASE(0x00a0, 64, true),
    EVENTQ_IRQ_CFG0(0x00b0, 64, true),
    EVENTQ_IRQ_CFG1(0x00b8, 32, true),
    EVENTQ_IRQ_CFG2(0x00bc, 32, true),
    /** Page 1 (§6.2.2): the consumer-side indexes live on their own page so a hypervisor can map them. */
    EVENTQ_PROD(0x100a8, 32, true),
    EVENTQ_CONS(0x100ac, 32, true);

    /** Size of the register frame: pages 0 and 1. */
    public static final int FRAME_SIZE = 0x20000;
    /** Offset of page 1. */
    public static final int PAGE1 = 0x10000;

    private static final Reg[] BY_WORD = new Reg[FRAME_SIZE / 4];

    static {
        for (Reg r : values()) {
            BY_WORD[r.offset / 4] = r;
        }
    }

    private final int offset;
    private final int width;
    private final boolean writable;

    Reg(int offset, int width, boolean writable) {
        this.offset = offset;
        this.width = width;
        this.writable = writable;
    }

    public int offset() {
        return offset;
    }

    /** 32 or 64 bits. */
    public int width() {
        return width;
    }

    /** False for read-only registers (IHI0070 §6.2: "read-only means that writes are ignored"). */
    public boolean writable() {
        return writable;
    }

    /** Where its format is specified. */
    public String spec() {
        return "IHI0070 6.3 SMMU_" + name();
    }

    /** The register starting at {@code offset}, or null. */
    public static Reg at(int offset) {
        if (offset < 0 || offset >= FRAME_SIZE || (offset & 3) != 0) {
            return null;
        }
        Reg r = BY_WORD[offset / 4];
        return r != null && r.offset == offset ? r : null;
    }

    /** The 64-bit register whose upper half is at {@code offset}, or null. */
    public static Reg upperHalfAt(int offset) {
        Reg r = at(offset - 4);
        return r != null && r.width == 64 ? r : null;
    }
}
