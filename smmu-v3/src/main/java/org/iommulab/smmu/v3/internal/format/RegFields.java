package org.iommulab.smmu.v3.internal.format;

import org.iommulab.modelkit.regs.Field;

/**
 * Field layouts of the registers in {@link Regs}, as IHI0070 §6.3 gives them under each
 * register's name (Linux {@code arm-smmu-v3.h} uses the same positions). One nested class per
 * register; bits not declared are RES0.
 */
public final class RegFields {
    private RegFields() {
    }

    /** SMMU_IDR0: features. */
    public static final class Idr0 {
        public static final Field S2P = Field.bit("S2P", 0);
        public static final Field S1P = Field.bit("S1P", 1);
        /** Translation table formats: 2 = AArch64 only, 3 = AArch32 and AArch64. */
        public static final Field TTF = Field.range("TTF", 3, 2);
        public static final Field COHACC = Field.bit("COHACC", 4);
        public static final Field BTM = Field.bit("BTM", 5);
        public static final Field HTTU = Field.range("HTTU", 7, 6);
        public static final Field HYP = Field.bit("HYP", 9);
        public static final Field ATS = Field.bit("ATS", 10);
        public static final Field ASID16 = Field.bit("ASID16", 12);
        public static final Field MSI = Field.bit("MSI", 13);
        public static final Field SEV = Field.bit("SEV", 14);
        public static final Field PRI = Field.bit("PRI", 16);
        public static final Field VMW = Field.bit("VMW", 17);
        public static final Field VMID16 = Field.bit("VMID16", 18);
        public static final Field CD2L = Field.bit("CD2L", 19);
        /** Table endianness: 2 = little-endian only. */
        public static final Field TTENDIAN = Field.range("TTENDIAN", 22, 21);
        /** 1 = stall not supported, 2 = stall forced. */
        public static final Field STALL_MODEL = Field.range("STALL_MODEL", 25, 24);
        /** 1 = a terminated transaction always aborts (CD.A must be 1). */
        public static final Field TERM_MODEL = Field.bit("TERM_MODEL", 26);
        /** 1 = 2-level stream tables supported. */
        public static final Field ST_LEVEL = Field.range("ST_LEVEL", 28, 27);

        public static final int TTF_AARCH64 = 2;
        public static final int TTENDIAN_LE = 2;
        public static final int STALL_MODEL_NO_STALL = 1;
        public static final int ST_LEVEL_2LVL = 1;

        private Idr0() {
        }
    }

    /** SMMU_IDR1: sizes. */
    public static final class Idr1 {
        public static final Field SIDSIZE = Field.range("SIDSIZE", 5, 0);
        public static final Field SSIDSIZE = Field.range("SSIDSIZE", 10, 6);
        public static final Field PRIQS = Field.range("PRIQS", 15, 11);
        public static final Field EVENTQS = Field.range("EVENTQS", 20, 16);
        public static final Field CMDQS = Field.range("CMDQS", 25, 21);
        public static final Field REL = Field.bit("REL", 28);
        public static final Field QUEUES_PRESET = Field.bit("QUEUES_PRESET", 29);
        public static final Field TABLES_PRESET = Field.bit("TABLES_PRESET", 30);

        private Idr1() {
        }
    }

    /** SMMU_IDR3: SMMUv3.1+ features. */
    public static final class Idr3 {
        public static final Field HAD = Field.bit("HAD", 2);
        public static final Field XNX = Field.bit("XNX", 4);
        public static final Field RIL = Field.bit("RIL", 10);
        public static final Field BBML = Field.range("BBML", 12, 11);

        private Idr3() {
        }
    }

    /** SMMU_IDR5: output size and granules. */
    public static final class Idr5 {
        public static final Field OAS = Field.range("OAS", 2, 0);
        public static final Field GRAN4K = Field.bit("GRAN4K", 4);
        public static final Field GRAN16K = Field.bit("GRAN16K", 5);
        public static final Field GRAN64K = Field.bit("GRAN64K", 6);
        public static final Field VAX = Field.range("VAX", 11, 10);
        public static final Field STALL_MAX = Field.range("STALL_MAX", 31, 16);

        private Idr5() {
        }
    }

    /** SMMU_AIDR: architecture revision. */
    public static final class Aidr {
        public static final Field ARCH_MINOR_REV = Field.range("ArchMinorRev", 3, 0);
        public static final Field ARCH_MAJOR_REV = Field.range("ArchMajorRev", 7, 4);

        private Aidr() {
        }
    }

    /**
     * SMMU_CR0 and SMMU_CR0ACK. Bit 5 and bit 9 are RES0; bit 10 is DPT_WALK_EN (SMMUv3.3
     * DPT). QEMU had it the other way round until "Fix incorrect reserved mask for SMMU CR0"
     * (2025): {@link #RESERVED} is the corrected mask.
     */
    public static final class Cr0 {
        public static final Field SMMUEN = Field.bit("SMMUEN", 0);
        public static final Field PRIQEN = Field.bit("PRIQEN", 1);
        public static final Field EVENTQEN = Field.bit("EVENTQEN", 2);
        public static final Field CMDQEN = Field.bit("CMDQEN", 3);
        public static final Field ATSCHK = Field.bit("ATSCHK", 4);
        public static final Field VMW = Field.range("VMW", 8, 6);
        public static final Field DPT_WALK_EN = Field.bit("DPT_WALK_EN", 10);
        /** Bits that are RES0 in every implementation: [31:11], 9 and 5. */
        public static final long RESERVED = 0xffff_fa20L;

        private Cr0() {
        }
    }

    /** SMMU_CR1: cacheability and shareability of table and queue accesses. */
    public static final class Cr1 {
        public static final Field QUEUE_IC = Field.range("QUEUE_IC", 1, 0);
        public static final Field QUEUE_OC = Field.range("QUEUE_OC", 3, 2);
        public static final Field QUEUE_SH = Field.range("QUEUE_SH", 5, 4);
        public static final Field TABLE_IC = Field.range("TABLE_IC", 7, 6);
        public static final Field TABLE_OC = Field.range("TABLE_OC", 9, 8);
        public static final Field TABLE_SH = Field.range("TABLE_SH", 11, 10);

        private Cr1() {
        }
    }

    /** SMMU_CR2. E2H is RES0 unless IDR0.HYP == 1. */
    public static final class Cr2 {
        public static final Field E2H = Field.bit("E2H", 0);
        /** Record C_BAD_STREAMID for out-of-range StreamIDs. */
        public static final Field RECINVSID = Field.bit("RECINVSID", 1);
        /** Private TLB maintenance: broadcast TLBI are ignored (BTM) - no broadcast modelled. */
        public static final Field PTM = Field.bit("PTM", 2);

        private Cr2() {
        }
    }

    /** SMMU_GBPA: global bypass attributes, used while SMMUEN == 0. */
    public static final class Gbpa {
        public static final Field MEMATTR = Field.range("MEMATTR", 3, 0);
        public static final Field MTCFG = Field.bit("MTCFG", 4);
        public static final Field ALLOCCFG = Field.range("ALLOCCFG", 11, 8);
        public static final Field SHCFG = Field.range("SHCFG", 13, 12);
        public static final Field PRIVCFG = Field.range("PRIVCFG", 17, 16);
        public static final Field INSTCFG = Field.range("INSTCFG", 19, 18);
        public static final Field ABORT = Field.bit("ABORT", 20);
        public static final Field UPDATE = Field.bit("UPDATE", 31);
        /** Reset value: SHCFG = 0b01 (use incoming), everything else 0 (bypass allowed). */
        public static final long RESET = 0x1000L;

        private Gbpa() {
        }
    }

    /** SMMU_IRQ_CTRL and SMMU_IRQ_CTRLACK. */
    public static final class IrqCtrl {
        public static final Field GERROR_IRQEN = Field.bit("GERROR_IRQEN", 0);
        public static final Field PRIQ_IRQEN = Field.bit("PRIQ_IRQEN", 1);
        public static final Field EVENTQ_IRQEN = Field.bit("EVENTQ_IRQEN", 2);

        private IrqCtrl() {
        }
    }

    /**
     * SMMU_GERROR and SMMU_GERRORN: an error is active while the bits differ; the SMMU toggles
     * GERROR, software acknowledges by toggling GERRORN to match.
     */
    public static final class Gerror {
        public static final Field CMDQ_ERR = Field.bit("CMDQ_ERR", 0);
        public static final Field EVENTQ_ABT_ERR = Field.bit("EVENTQ_ABT_ERR", 2);
        public static final Field PRIQ_ABT_ERR = Field.bit("PRIQ_ABT_ERR", 3);
        public static final Field MSI_CMDQ_ABT_ERR = Field.bit("MSI_CMDQ_ABT_ERR", 4);
        public static final Field MSI_EVENTQ_ABT_ERR = Field.bit("MSI_EVENTQ_ABT_ERR", 5);
        public static final Field MSI_PRIQ_ABT_ERR = Field.bit("MSI_PRIQ_ABT_ERR", 6);
        public static final Field MSI_GERROR_ABT_ERR = Field.bit("MSI_GERROR_ABT_ERR", 7);
        public static final Field SFM_ERR = Field.bit("SFM_ERR", 8);
        /** Linux {@code GERROR_ERR_MASK}. */
        public static final long ERR_MASK = 0x1fdL;

        private Gerror() {
        }
    }

    /** SMMU_*_IRQ_CFG0/1/2: MSI address, data and attributes. */
    public static final class IrqCfg {
        public static final Field ADDR = Field.range("ADDR", 51, 2);
        public static final Field DATA = Field.range("DATA", 31, 0);
        public static final Field MEMATTR = Field.range("MEMATTR", 3, 0);
        public static final Field SH = Field.range("SH", 5, 4);

        private IrqCfg() {
        }
    }

    /** SMMU_STRTAB_BASE and SMMU_STRTAB_BASE_CFG. */
    public static final class Strtab {
        public static final Field ADDR = Field.range("ADDR", 51, 6);
        public static final Field RA = Field.bit("RA", 62);
        public static final Field LOG2SIZE = Field.range("LOG2SIZE", 5, 0);
        public static final Field SPLIT = Field.range("SPLIT", 10, 6);
        public static final Field FMT = Field.range("FMT", 17, 16);
        public static final int FMT_LINEAR = 0;
        public static final int FMT_2LVL = 1;

        private Strtab() {
        }
    }

    /**
     * SMMU_CMDQ_BASE/SMMU_EVENTQ_BASE and the PROD/CONS index registers: index in
     * {@code [LOG2SIZE-1:0]}, wrap flag at bit LOG2SIZE ({@link org.iommulab.smmu.v3.internal.format.QueueIndex}).
     */
    public static final class Queue {
        public static final Field LOG2SIZE = Field.range("LOG2SIZE", 4, 0);
        public static final Field ADDR = Field.range("ADDR", 51, 5);
        public static final Field RA_WA = Field.bit("RA/WA", 62);
        /** SMMU_CMDQ_CONS.ERR: the CERROR code of the command CONS stopped at. */
        public static final Field CONS_ERR = Field.range("ERR", 30, 24);
        /** SMMU_EVENTQ_PROD.OVFLG. */
        public static final Field PROD_OVFLG = Field.bit("OVFLG", 31);
        /** SMMU_EVENTQ_CONS.OVACKFLG. */
        public static final Field CONS_OVACKFLG = Field.bit("OVACKFLG", 31);
        /** Largest LOG2SIZE the architecture allows (IDR1.CMDQS/EVENTQS are at most 19). */
        public static final int MAX_LOG2SIZE = 19;

        public static final int CERROR_NONE = 0;
        public static final int CERROR_ILL = 1;
        public static final int CERROR_ABT = 2;
        public static final int CERROR_ATC_INV_SYNC = 3;

        private Queue() {
        }
    }
}
