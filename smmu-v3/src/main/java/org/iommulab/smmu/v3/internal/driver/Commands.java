package org.iommulab.smmu.v3.internal.driver;

import static org.iommulab.smmu.v3.internal.format.CmdFormat.*;

/**
 * Command builders, Linux {@code arm_smmu_cmdq_build_cmd}: each returns the two doublewords of
 * one command in {@code out}. The field layout is {@link org.iommulab.smmu.v3.internal.format.CmdFormat},
 * the one the model decodes.
 */
final class Commands {
    /** Linux {@code ARM_SMMU_SH_ISH} and {@code ARM_SMMU_MEMATTR_OIWB} for the sync MSI write. */
    private static final int SH_ISH = 3;
    private static final int MEMATTR_OIWB = 0xf;

    private Commands() {
    }

    static void cfgiSte(long[] out, int sid) {
        out[0] = D0_OP.of(CFGI_STE) | D0_SID.of(sid & 0xffff_ffffL);
        out[1] = D1_LEAF.of(1);
    }

    /** CMD_CFGI_ALL: CFGI_STE_RANGE with Range 31. */
    static void cfgiAll(long[] out) {
        out[0] = D0_OP.of(CFGI_STE_RANGE);
        out[1] = D1_RANGE.of(31);
    }

    static void cfgiCd(long[] out, int sid, int ssid) {
        out[0] = D0_OP.of(CFGI_CD) | D0_SID.of(sid & 0xffff_ffffL) | D0_SSID.of(ssid);
        out[1] = D1_LEAF.of(1);
    }

    static void tlbiNsnhAll(long[] out) {
        out[0] = D0_OP.of(TLBI_NSNH_ALL);
        out[1] = 0;
    }

    static void tlbiNhAsid(long[] out, int asid, int vmid) {
        out[0] = D0_OP.of(TLBI_NH_ASID) | D0_ASID.of(asid) | D0_VMID.of(vmid);
        out[1] = 0;
    }

    static void tlbiS12Vmall(long[] out, int vmid) {
        out[0] = D0_OP.of(TLBI_S12_VMALL) | D0_VMID.of(vmid);
        out[1] = 0;
    }

    /**
     * CMD_TLBI_NH_VA (stage 1, by ASID) or CMD_TLBI_S2_IPA (stage 2, by VMID), with the range
     * fields when {@code tg != 0}.
     */
    static void tlbiRange(long[] out, int op, int asid, int vmid, long addr, boolean leaf, int tg, int ttl, int num,
            int scale) {
        out[0] = tlbiRangeD0(op, asid, vmid, num, scale);
        out[1] = tlbiRangeD1(op, addr, leaf, tg, ttl);
    }

    /** The first doubleword of {@link #tlbiRange}: opcode, ASID (stage 1 only), VMID, NUM, SCALE. */
    static long tlbiRangeD0(int op, int asid, int vmid, int num, int scale) {
        long d0 = D0_OP.of(op) | D0_VMID.of(vmid) | D0_NUM.of(num) | D0_SCALE.of(scale);
        if (op == TLBI_NH_VA) {
            d0 |= D0_ASID.of(asid);
        }
        return d0;
    }

    /** The second doubleword of {@link #tlbiRange}: address, Leaf, TTL, TG. */
    static long tlbiRangeD1(int op, long addr, boolean leaf, int tg, int ttl) {
        return tlbiAddress(op, addr) | D1_LEAF.of(leaf ? 1 : 0) | D1_TTL.of(ttl) | D1_TG.of(tg);
    }

    /** The address field of {@link #tlbiRangeD1}: IPA for TLBI_S2_IPA, VA otherwise, in place. */
    static long tlbiAddress(int op, long addr) {
        return op == TLBI_S2_IPA ? D1_IPA.bits(addr) : D1_VA.bits(addr);
    }

    /**
     * CMD_SYNC. With {@code msiAddr != 0}: CS = IRQ and an MSI of data 0 to that address, the
     * command's own slot (Linux's MSIPOLL: the first word turns 0 on completion); else CS = SEV.
     */
    /**
     * The first doubleword of {@link #sync}'s CMD_SYNC, built where it is written (nothing
     * shared): one of its two forms, each encoded once from the fields (every sync of a strict
     * unmap writes one).
     */
    static long syncD0(long msiAddr) {
        return msiAddr != 0 ? SYNC_D0_IRQ : SYNC_D0_SEV;
    }

    /** The second doubleword of {@link #sync}'s CMD_SYNC. */
    static long syncD1(long msiAddr) {
        return msiAddr != 0 ? D1_MSIADDR.bits(msiAddr) : 0;
    }

    /** CMD_SYNC's first doubleword, CS = IRQ (an MSI) and CS = SEV. */
    private static final long SYNC_D0_IRQ = D0_OP.of(SYNC) | D0_MSH.of(SH_ISH) | D0_MSIATTR.of(MEMATTR_OIWB) | D0_CS.of(CS_IRQ);
    private static final long SYNC_D0_SEV = D0_OP.of(SYNC) | D0_MSH.of(SH_ISH) | D0_MSIATTR.of(MEMATTR_OIWB) | D0_CS.of(CS_SEV);

    static void sync(long[] out, long msiAddr) {
        out[0] = syncD0(msiAddr);
        out[1] = syncD1(msiAddr);
    }
}
