package org.iommulab.smmu.v3.internal.model.ste;

import org.iommulab.api.platform.FaultKind;
import org.iommulab.api.platform.FaultOrigin;
import org.iommulab.smmu.v3.internal.format.EventFormat;
import org.iommulab.smmu.v3.internal.format.RegFields.Strtab;
import org.iommulab.smmu.v3.internal.format.SteFormat;
import org.iommulab.smmu.v3.internal.model.SmmuMemory;
import org.iommulab.smmu.v3.internal.model.fault.SmmuFault;

/**
 * Finds a StreamID's STE in the stream table (IHI0070 §3.3.2, §5.1; QEMU's
 * {@code smmu_find_ste}), linear or 2-level, with the exact bounds of §7.3.3: C_BAD_STREAMID
 * when StreamID >= 2^LOG2SIZE (LOG2SIZE capped at IDR1.SIDSIZE), or in a 2-level table when
 * the L1STD's Span is 0, reserved (> 12) or greater than SPLIT + 1, or StreamID[SPLIT-1:0]
 * >= 2^(Span-1). C_BAD_STREAMID is recorded only when CR2.RECINVSID == 1. Two QEMU bugs are
 * avoided: Span is 5 bits (QEMU decoded 4 until 2020), and an L2 index past the Span is
 * C_BAD_STREAMID against 2^(Span-1) entries (QEMU allows {@code (1 << span) - 1} and reports
 * C_BAD_STE). A fetch that aborts is F_STE_FETCH with the address fetched.
 */
public final class StreamTableLookup {
    private final SmmuMemory memory;
    private final int sidBits;

    public StreamTableLookup(SmmuMemory memory, int sidBits) {
        this.memory = memory;
        this.sidBits = sidBits;
    }

    /**
     * The physical address of {@code sid}'s STE.
     *
     * @throws SmmuFault C_BAD_STREAMID or F_STE_FETCH
     */
    public long steAddress(int sid, long strtabBase, int strtabCfg, boolean recInvSid) {
        long id = sid & 0xffff_ffffL;
        int log2size = Math.min(Strtab.LOG2SIZE.getInt(strtabCfg), sidBits);
        if (id >>> log2size != 0) {
            throw badStreamId(recInvSid, String.format("StreamID 0x%x >= 2^LOG2SIZE (LOG2SIZE %d)", id, log2size));
        }
        long addr = Strtab.ADDR.bits(strtabBase);
        if (Strtab.FMT.getInt(strtabCfg) != Strtab.FMT_2LVL) {
            // §6.3 STRTAB_BASE: the base is aligned by the SMMU to the table size.
            long size = Math.max(64L, (long) SteFormat.STE_SIZE << log2size);
            return (addr & -size) + id * SteFormat.STE_SIZE;
        }
        int split = Strtab.SPLIT.getInt(strtabCfg);
        int l1Bits = Math.max(0, log2size - split);
        long l1Size = Math.max(64L, (long) SteFormat.L1STD_SIZE << l1Bits);
        long l1Addr = (addr & -l1Size) + (id >>> split) * SteFormat.L1STD_SIZE;
        if (!memory.reachable(l1Addr, SteFormat.L1STD_SIZE)) {
            throw SmmuFault.fetch(EventFormat.F_STE_FETCH, l1Addr,
                    String.format("level-1 stream table descriptor fetch at 0x%x aborted", l1Addr));
        }
        long l1std = memory.memory().readLong(l1Addr);
        int span = SteFormat.L1STD_SPAN.getInt(l1std);
        if (span == 0) {
            throw badStreamId(recInvSid, String.format("StreamID 0x%x: L1STD at 0x%x has Span 0 (no level-2 table)", id, l1Addr));
        }
        if (span > SteFormat.L1STD_MAX_SPAN) {
            throw badStreamId(recInvSid, String.format("StreamID 0x%x: L1STD at 0x%x has reserved Span %d", id, l1Addr, span));
        }
        if (span > split + 1) {
            throw badStreamId(recInvSid, String.format("StreamID 0x%x: L1STD Span %d > SPLIT + 1 (%d)", id, span, split + 1));
        }
        long l2Index = id & ((1L << split) - 1);
        long l2Entries = 1L << (span - 1);
        if (l2Index >= l2Entries) {
            throw badStreamId(recInvSid, String.format(
                    "StreamID 0x%x: level-2 index %d >= 2^(Span-1) = %d entries", id, l2Index, l2Entries));
        }
        long l2Ptr = SteFormat.L1STD_L2PTR.bits(l1std) & -(l2Entries * SteFormat.STE_SIZE);
        return l2Ptr + l2Index * SteFormat.STE_SIZE;
    }

    private static SmmuFault badStreamId(boolean record, String detail) {
        return SmmuFault.config(EventFormat.C_BAD_STREAMID, record, FaultKind.BAD_STREAM_ID, FaultOrigin.MISPROGRAMMED,
                detail);
    }
}
