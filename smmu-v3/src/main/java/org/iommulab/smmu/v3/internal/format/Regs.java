package org.iommulab.smmu.v3.internal.format;

import static org.iommulab.modelkit.regs.Access.RO;
import static org.iommulab.modelkit.regs.Access.RW;

import java.util.List;

import org.iommulab.modelkit.regs.Field;
import org.iommulab.modelkit.regs.Register;
import org.iommulab.modelkit.regs.RegisterBlock;
import org.iommulab.smmu.v3.internal.format.RegFields.Aidr;
import org.iommulab.smmu.v3.internal.format.RegFields.Cr0;
import org.iommulab.smmu.v3.internal.format.RegFields.Cr1;
import org.iommulab.smmu.v3.internal.format.RegFields.Cr2;
import org.iommulab.smmu.v3.internal.format.RegFields.Gbpa;
import org.iommulab.smmu.v3.internal.format.RegFields.Gerror;
import org.iommulab.smmu.v3.internal.format.RegFields.Idr0;
import org.iommulab.smmu.v3.internal.format.RegFields.Idr1;
import org.iommulab.smmu.v3.internal.format.RegFields.Idr3;
import org.iommulab.smmu.v3.internal.format.RegFields.Idr5;
import org.iommulab.smmu.v3.internal.format.RegFields.IrqCfg;
import org.iommulab.smmu.v3.internal.format.RegFields.IrqCtrl;
import org.iommulab.smmu.v3.internal.format.RegFields.Queue;
import org.iommulab.smmu.v3.internal.format.RegFields.Strtab;

/**
 * The SMMUv3 registers this model implements, declared once: offset in the 128 KiB register
 * frame (page 0 at 0, page 1 at 0x10000), width, and whether software may write it (RW) or
 * not (RO), as the register overview of IHI0070 §6.2 lists them (field layouts in
 * {@link RegFields}, formats in §6.3 under each register's name). The driver and the model
 * both address registers only through these constants; the model decodes an offset with
 * {@link #FRAME}.
 *
 * <p>A register's implemented bits are what the model stores on a write; CR0 is narrowed
 * further by the features of an instance, and the queue index registers (no fields here) by
 * their queue's LOG2SIZE.
 *
 * <p>Not implemented, so absent (an access to them is refused): the PRI queue registers
 * (IDR0.PRI = 0), GATOS/VATOS, S2PII, AGBPA, the Secure and Realm banks, ECMDQ pages, the
 * PMCG and the IMPLEMENTATION DEFINED ID_REGS space, and the optional page-0 aliases of
 * EVENTQ_PROD/CONS at 0xa8/0xac (§6.2.1 allows "RAZ/WI" or an alias; Linux uses page 1).
 */
public final class Regs {
    private Regs() {
    }

    private static final String S = "IHI0070 6.3 SMMU_";

    /** Size of the register frame: pages 0 and 1. */
    public static final int FRAME_SIZE = 0x20000;
    /** Offset of page 1. */
    public static final int PAGE1 = 0x10000;

    public static final Register IDR0 = Register.r32("IDR0", 0x0000, RO, S + "IDR0").fields(Idr0.S2P, Idr0.S1P, Idr0.TTF,
            Idr0.COHACC, Idr0.BTM, Idr0.HTTU, Idr0.HYP, Idr0.ATS, Idr0.ASID16, Idr0.MSI, Idr0.SEV, Idr0.PRI, Idr0.VMW,
            Idr0.VMID16, Idr0.CD2L, Idr0.TTENDIAN, Idr0.STALL_MODEL, Idr0.TERM_MODEL, Idr0.ST_LEVEL);
    public static final Register IDR1 = Register.r32("IDR1", 0x0004, RO, S + "IDR1").fields(Idr1.SIDSIZE, Idr1.SSIDSIZE,
            Idr1.PRIQS, Idr1.EVENTQS, Idr1.CMDQS, Idr1.REL, Idr1.QUEUES_PRESET, Idr1.TABLES_PRESET);
    public static final Register IDR2 = Register.r32("IDR2", 0x0008, RO, S + "IDR2");
    public static final Register IDR3 = Register.r32("IDR3", 0x000c, RO, S + "IDR3").fields(Idr3.HAD, Idr3.XNX, Idr3.RIL,
            Idr3.BBML);
    public static final Register IDR4 = Register.r32("IDR4", 0x0010, RO, S + "IDR4");
    public static final Register IDR5 = Register.r32("IDR5", 0x0014, RO, S + "IDR5").fields(Idr5.OAS, Idr5.GRAN4K,
            Idr5.GRAN16K, Idr5.GRAN64K, Idr5.VAX, Idr5.STALL_MAX);
    public static final Register IIDR = Register.r32("IIDR", 0x0018, RO, S + "IIDR");
    public static final Register AIDR = Register.r32("AIDR", 0x001c, RO, S + "AIDR").fields(Aidr.ARCH_MINOR_REV,
            Aidr.ARCH_MAJOR_REV);
    /** The fields cover every bit that is not {@link Cr0#RESERVED}. */
    public static final Register CR0 = Register.r32("CR0", 0x0020, RW, S + "CR0").fields(Cr0.SMMUEN, Cr0.PRIQEN,
            Cr0.EVENTQEN, Cr0.CMDQEN, Cr0.ATSCHK, Cr0.VMW, Cr0.DPT_WALK_EN);
    public static final Register CR0ACK = Register.r32("CR0ACK", 0x0024, RO, S + "CR0ACK").fields(Cr0.SMMUEN, Cr0.PRIQEN,
            Cr0.EVENTQEN, Cr0.CMDQEN, Cr0.ATSCHK, Cr0.VMW, Cr0.DPT_WALK_EN);
    public static final Register CR1 = Register.r32("CR1", 0x0028, RW, S + "CR1").fields(Cr1.QUEUE_IC, Cr1.QUEUE_OC,
            Cr1.QUEUE_SH, Cr1.TABLE_IC, Cr1.TABLE_OC, Cr1.TABLE_SH);
    /** E2H is RES0 here (IDR0.HYP = 0). */
    public static final Register CR2 = Register.r32("CR2", 0x002c, RW, S + "CR2").fields(Cr2.E2H, Cr2.RECINVSID, Cr2.PTM)
            .implemented(Field.maskOf(Cr2.RECINVSID, Cr2.PTM));
    public static final Register STATUSR = Register.r32("STATUSR", 0x0040, RO, S + "STATUSR");
    /** UPDATE is not stored: it reads 0 once the update has completed, which here is at once. */
    public static final Register GBPA = Register.r32("GBPA", 0x0044, RW, S + "GBPA").fields(Gbpa.MEMATTR, Gbpa.MTCFG,
            Gbpa.ALLOCCFG, Gbpa.SHCFG, Gbpa.PRIVCFG, Gbpa.INSTCFG, Gbpa.ABORT, Gbpa.UPDATE)
            .implemented(0x001f_3f1fL).reset(Gbpa.RESET);
    /** PRIQ_IRQEN is RES0 here (IDR0.PRI = 0). */
    public static final Register IRQ_CTRL = Register.r32("IRQ_CTRL", 0x0050, RW, S + "IRQ_CTRL").fields(
            IrqCtrl.GERROR_IRQEN, IrqCtrl.PRIQ_IRQEN, IrqCtrl.EVENTQ_IRQEN)
            .implemented(Field.maskOf(IrqCtrl.GERROR_IRQEN, IrqCtrl.EVENTQ_IRQEN));
    public static final Register IRQ_CTRLACK = Register.r32("IRQ_CTRLACK", 0x0054, RO, S + "IRQ_CTRLACK").fields(
            IrqCtrl.GERROR_IRQEN, IrqCtrl.PRIQ_IRQEN, IrqCtrl.EVENTQ_IRQEN);
    public static final Register GERROR = Register.r32("GERROR", 0x0060, RO, S + "GERROR").fields(Gerror.CMDQ_ERR,
            Gerror.EVENTQ_ABT_ERR, Gerror.PRIQ_ABT_ERR, Gerror.MSI_CMDQ_ABT_ERR, Gerror.MSI_EVENTQ_ABT_ERR,
            Gerror.MSI_PRIQ_ABT_ERR, Gerror.MSI_GERROR_ABT_ERR, Gerror.SFM_ERR);
    public static final Register GERRORN = Register.r32("GERRORN", 0x0064, RW, S + "GERRORN").fields(Gerror.CMDQ_ERR,
            Gerror.EVENTQ_ABT_ERR, Gerror.PRIQ_ABT_ERR, Gerror.MSI_CMDQ_ABT_ERR, Gerror.MSI_EVENTQ_ABT_ERR,
            Gerror.MSI_PRIQ_ABT_ERR, Gerror.MSI_GERROR_ABT_ERR, Gerror.SFM_ERR);
    public static final Register GERROR_IRQ_CFG0 = Register.r64("GERROR_IRQ_CFG0", 0x0068, RW, S + "GERROR_IRQ_CFG0")
            .fields(IrqCfg.ADDR);
    public static final Register GERROR_IRQ_CFG1 = Register.r32("GERROR_IRQ_CFG1", 0x0070, RW, S + "GERROR_IRQ_CFG1")
            .fields(IrqCfg.DATA);
    public static final Register GERROR_IRQ_CFG2 = Register.r32("GERROR_IRQ_CFG2", 0x0074, RW, S + "GERROR_IRQ_CFG2")
            .fields(IrqCfg.MEMATTR, IrqCfg.SH);
    public static final Register STRTAB_BASE = Register.r64("STRTAB_BASE", 0x0080, RW, S + "STRTAB_BASE").fields(
            Strtab.ADDR, Strtab.RA);
    public static final Register STRTAB_BASE_CFG = Register.r32("STRTAB_BASE_CFG", 0x0088, RW, S + "STRTAB_BASE_CFG")
            .fields(Strtab.LOG2SIZE, Strtab.SPLIT, Strtab.FMT);
    public static final Register CMDQ_BASE = Register.r64("CMDQ_BASE", 0x0090, RW, S + "CMDQ_BASE").fields(
            Queue.LOG2SIZE, Queue.ADDR, Queue.RA_WA);
    public static final Register CMDQ_PROD = Register.r32("CMDQ_PROD", 0x0098, RW, S + "CMDQ_PROD");
    /** Index, wrap flag and {@link Queue#CONS_ERR}. */
    public static final Register CMDQ_CONS = Register.r32("CMDQ_CONS", 0x009c, RW, S + "CMDQ_CONS");
    public static final Register EVENTQ_BASE = Register.r64("EVENTQ_BASE", 0x00a0, RW, S + "EVENTQ_BASE").fields(
            Queue.LOG2SIZE, Queue.ADDR, Queue.RA_WA);
    public static final Register EVENTQ_IRQ_CFG0 = Register.r64("EVENTQ_IRQ_CFG0", 0x00b0, RW, S + "EVENTQ_IRQ_CFG0")
            .fields(IrqCfg.ADDR);
    public static final Register EVENTQ_IRQ_CFG1 = Register.r32("EVENTQ_IRQ_CFG1", 0x00b8, RW, S + "EVENTQ_IRQ_CFG1")
            .fields(IrqCfg.DATA);
    public static final Register EVENTQ_IRQ_CFG2 = Register.r32("EVENTQ_IRQ_CFG2", 0x00bc, RW, S + "EVENTQ_IRQ_CFG2")
            .fields(IrqCfg.MEMATTR, IrqCfg.SH);
    /**
     * Page 1 (§6.2.2): the consumer-side indexes live on their own page so a hypervisor can map
     * them. Index, wrap flag and {@link Queue#PROD_OVFLG}.
     */
    public static final Register EVENTQ_PROD = Register.r32("EVENTQ_PROD", 0x100a8, RW, S + "EVENTQ_PROD");
    /** Index, wrap flag and {@link Queue#CONS_OVACKFLG}. */
    public static final Register EVENTQ_CONS = Register.r32("EVENTQ_CONS", 0x100ac, RW, S + "EVENTQ_CONS");

    /** Every register, in offset order. */
    public static final List<Register> ALL = List.of(IDR0, IDR1, IDR2, IDR3, IDR4, IDR5, IIDR, AIDR, CR0, CR0ACK, CR1,
            CR2, STATUSR, GBPA, IRQ_CTRL, IRQ_CTRLACK, GERROR, GERRORN, GERROR_IRQ_CFG0, GERROR_IRQ_CFG1, GERROR_IRQ_CFG2,
            STRTAB_BASE, STRTAB_BASE_CFG, CMDQ_BASE, CMDQ_PROD, CMDQ_CONS, EVENTQ_BASE, EVENTQ_IRQ_CFG0, EVENTQ_IRQ_CFG1,
            EVENTQ_IRQ_CFG2, EVENTQ_PROD, EVENTQ_CONS);

    /** The frame's decode: which register each word offset reaches. */
    public static final RegisterBlock FRAME = RegisterBlock.of("SMMUv3", FRAME_SIZE, ALL);
}
