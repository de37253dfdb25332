package org.iommulab.iopgtable.lpae;

import org.iommulab.api.platform.AccessType;
import org.iommulab.iopgtable.DescriptorFetchAbort;
import org.iommulab.iopgtable.DescriptorReader;

/**
 * The hardware side of an LPAE table: a VMSAv8-64 table walk (Arm ARM D8 "The AArch64 Virtual
 * Memory System Architecture", as an SMMU's page-table walker performs it; QEMU's
 * {@code smmu_ptw_64_s1}/{@code _s2} are the model followed) over descriptors it reads through
 * a {@link DescriptorReader}, which can do nothing else. It shares only {@link LpaeFormat} with
 * the writer ({@link LpaePageTable}): it knows nothing of how the tables were built.
 *
 * <p>Checks, in the order a walk meets them:
 * <ol>
 * <li>input address beyond the input size: TRANSLATION at level 0 (as QEMU reports it);</li>
 * <li>table base beyond the output size: ADDRESS_SIZE at level 0 (Arm's "level 0 or TTBR");</li>
 * <li>per level: a fetch the reader aborts ({@link DescriptorFetchAbort}): WALK_EABT; invalid
 * descriptor, a block where the granule allows none, or type 1 at level 3: TRANSLATION; a
 * next-level table beyond the output size: ADDRESS_SIZE; stage-1 tables collect
 * APTable/XNTable unless HAD;</li>
 * <li>at the leaf: output beyond the output size: ADDRESS_SIZE; AF = 0 without AFFD: ACCESS_FLAG
 * (with HA no fault: the reader cannot write, so the result asks the caller to set AF, see
 * {@link LpaeWalkResult#accessFlagUpdate()}); then PERMISSION.</li>
 * </ol>
 * The success path allocates nothing: the caller passes the {@link LpaeWalkResult} to fill.
 * Thread-safe as long as each thread uses its own result and the reader allows it.
 */
public final class LpaeWalker {
    private final DescriptorReader reader;

    /**
     * A walker reading descriptors through {@code reader}
     * ({@link DescriptorReader#of(org.iommulab.api.platform.PhysicalMemory)} for plain memory).
     */
    public LpaeWalker(DescriptorReader reader) {
        if (reader == null) {
            throw new IllegalArgumentException("the walker needs the reader it fetches descriptors through");
        }
        this.reader = reader;
    }

    /**
     * Translates {@code input} for an access of type {@code access} ({@code privileged} matters at
     * stage 1 only: an unprivileged access needs AP[1]).
     *
     * @return true and a translation in {@code out}, or false and the fault in {@code out}
     */
    public boolean walk(LpaeTranslationConfig cfg, long input, AccessType access, boolean privileged, LpaeWalkResult out) {
        out.start(input);
        if (input < 0 || (input >>> cfg.inputSize()) != 0) {
            return out.fail(LpaeFault.TRANSLATION, 0);
        }
        int oas = cfg.outputSize();
        if ((cfg.ttb() >>> oas) != 0) {
            return out.fail(LpaeFault.ADDRESS_SIZE, 0);
        }
        LpaeGranule granule = cfg.granule();
        boolean stage1 = cfg.stage() == LpaeStage.STAGE1;
        boolean hierarchy = stage1 && !cfg.hierarchicalAttributesDisabled();
        boolean tableNoWrite = false;
        boolean tableNoUnpriv = false;
        boolean tableXn = false;
        long table = cfg.ttb();
        int level = cfg.startLevel();
        int bits = cfg.startBits();
        while (true) {
            int shift = LpaeFormat.levelShift(level, granule);
            long idx = (input >>> shift) & ((1L << bits) - 1);
            long descAddr = table + (idx << LpaeFormat.PTE_SHIFT);
            long desc;
            try {
                desc = reader.readDescriptor(descAddr);
            } catch (DescriptorFetchAbort abort) {
                out.fetched(descAddr, 0, level);
                return out.fail(LpaeFault.WALK_EABT, level);
            }
            out.fetched(descAddr, desc, level);
            if ((desc & LpaeFormat.PTE_VALID) == 0) {
                return out.fail(LpaeFault.TRANSLATION, level);
            }
            long type = desc & LpaeFormat.PTE_TYPE_MASK;
            if (level < LpaeFormat.MAX_LEVELS - 1 && type == LpaeFormat.PTE_TYPE_TABLE) {
                long next = LpaeFormat.pteToPaddr(desc, granule);
                if ((next >>> oas) != 0) {
                    return out.fail(LpaeFault.ADDRESS_SIZE, level);
                }
                if (hierarchy) {
                    tableNoWrite |= (desc & LpaeFormat.TABLE_AP_RDONLY) != 0;
                    tableNoUnpriv |= (desc & LpaeFormat.TABLE_AP_NO_UNPRIV) != 0;
                    tableXn |= (desc & (privileged ? LpaeFormat.TABLE_PXN : LpaeFormat.TABLE_XN)) != 0;
                }
                table = next;
                level++;
                bits = granule.bitsPerLevel();
                continue;
            }
            if (level == LpaeFormat.MAX_LEVELS - 1 ? type != LpaeFormat.PTE_TYPE_PAGE
                    : !LpaeFormat.blockAllowed(level, granule, oas)) {
                return out.fail(LpaeFault.TRANSLATION, level);
            }
            long blockMask = (1L << shift) - 1;
            long base = LpaeFormat.pteToPaddr(desc, granule) & ~blockMask;
            if ((base >>> oas) != 0) {
                return out.fail(LpaeFault.ADDRESS_SIZE, level);
            }
            boolean read;
            boolean write;
            if (stage1) {
                boolean unprivOk = (desc & LpaeFormat.PTE_AP_UNPRIV) != 0 && !tableNoUnpriv;
                boolean allowed = privileged || unprivOk;
                read = allowed;
                write = allowed && (desc & LpaeFormat.PTE_AP_RDONLY) == 0 && !tableNoWrite;
            } else {
                read = (desc & LpaeFormat.PTE_HAP_READ) != 0;
                write = (desc & LpaeFormat.PTE_HAP_WRITE) != 0;
            }
            out.leaf(base | (input & blockMask), shift, read, write, (desc & LpaeFormat.PTE_XN) != 0 || tableXn);
            if ((desc & LpaeFormat.PTE_AF) == 0) {
                if (cfg.hardwareAccessFlag()) {
                    // Hardware access-flag update: AF is set in the descriptor, but the reader
                    // only reads, so the caller writes it (at descriptorAddress()).
                    out.accessFlagToSet();
                } else if (!cfg.accessFlagFaultDisabled()) {
                    return out.fail(LpaeFault.ACCESS_FLAG, level);
                }
            }
            if (access == AccessType.WRITE ? !write : !read) {
                return out.fail(LpaeFault.PERMISSION, level);
            }
            return true;
        }
    }
}
