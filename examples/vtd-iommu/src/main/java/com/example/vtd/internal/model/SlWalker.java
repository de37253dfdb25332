package com.example.vtd.internal.model;

import org.iommulab.api.platform.FaultKind;
import org.iommulab.api.platform.FaultOrigin;
import org.iommulab.iopgtable.DescriptorFetchAbort;
import org.iommulab.iopgtable.DescriptorReader;

import com.example.vtd.internal.Seed;
import com.example.vtd.internal.format.FaultRecord;
import com.example.vtd.internal.format.SlPte;

/**
 * The hardware's second-level walk (VT-d spec §3.6 and §9.8; QEMU {@code vtd_iova_to_slpte}):
 * from SLPTPTR down the context's levels, one descriptor per level through a
 * {@link DescriptorReader}, the R and W bits ANDed level by level. At each level, in QEMU's
 * order: the access's permission bit (clear: fault reason 5h for a write, 6h for a read, the
 * spec's way of saying "not present" too), then the reserved bits (Ch), then leaf or next
 * table. A fetch that reaches no memory is 7h, or 3h at the top level (the context's SLPTPTR
 * is what is wrong).
 *
 * <p>Kinds for the platform: R = W = 0 is {@link FaultKind#TRANSLATION} (nothing mapped), a
 * present entry lacking the bit is {@link FaultKind#PERMISSION}; both are the device's doing.
 * Allocation-free on success; not thread-safe (the unit's lock).
 */
final class SlWalker {
    private final DescriptorReader reader;
    private final int haw;
    private final Seed seed;

    SlWalker(DescriptorReader reader, int haw, Seed seed) {
        this.reader = reader;
        this.haw = haw;
        this.seed = seed;
    }

    /** Walks {@code iova} for a read or a write under {@code ctx}; the leaf goes to {@code out}. */
    void walk(DecodedContext ctx, long iova, boolean write, SlWalkResult out) {
        long table = ctx.slptptr();
        boolean read = true;
        boolean writable = true;
        for (int level = ctx.levels();; level--) {
            long addr = table + (long) SlPte.PTE_SIZE * SlPte.index(iova, level);
            long pte;
            try {
                pte = reader.readDescriptor(addr);
            } catch (DescriptorFetchAbort e) {
                boolean top = level == ctx.levels();
                throw VtdFault.translation(top ? FaultRecord.CONTEXT_ENTRY_INV : FaultRecord.PAGING_ENTRY_INV,
                        FaultKind.FETCH_ABORT, FaultOrigin.MISPROGRAMMED, ctx, level, addr, String.format(
                                "level-%d entry fetch at 0x%x reached no memory%s", level, addr,
                                top ? " (SLPTPTR is invalid)" : ""));
            }
            boolean present = SlPte.present(pte);
            read &= SlPte.R.isSet(pte);
            // Seeded: the W bit is never looked at; any present entry counts as writable.
            writable &= seed == Seed.IGNORE_WRITE ? present : SlPte.W.isSet(pte);
            if (write ? !writable : !read) {
                throw VtdFault.translation(write ? FaultRecord.WRITE : FaultRecord.READ,
                        present ? FaultKind.PERMISSION : FaultKind.TRANSLATION, FaultOrigin.ACCESS, ctx, level, 0,
                        present ? String.format("level-%d entry 0x%x lacks %s", level, pte, write ? "W" : "R")
                                : String.format("level-%d entry is not present (R = W = 0)", level));
            }
            if ((pte & SlPte.reserved(pte, level, haw)) != 0) {
                throw VtdFault.translation(FaultRecord.PAGING_ENTRY_RSVD, FaultKind.BAD_CONFIG,
                        FaultOrigin.MISPROGRAMMED, ctx, level, addr, String.format(
                                "level-%d entry 0x%x at 0x%x sets reserved bits 0x%x", level, pte, addr,
                                pte & SlPte.reserved(pte, level, haw)));
            }
            if (SlPte.leaf(pte, level)) {
                out.set(SlPte.address(pte, haw), SlPte.shift(level), level, read, writable);
                return;
            }
            table = SlPte.address(pte, haw);
        }
    }
}
