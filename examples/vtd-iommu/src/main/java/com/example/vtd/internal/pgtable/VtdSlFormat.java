package com.example.vtd.internal.pgtable;

import org.iommulab.api.platform.PageAllocator;
import org.iommulab.api.platform.PhysicalMemory;
import org.iommulab.iopgtable.IoPgtableConfig;
import org.iommulab.iopgtable.IoPgtableFlushOps;
import org.iommulab.iopgtable.IoPgtableFormat;

import com.example.vtd.internal.Seed;
import com.example.vtd.internal.format.ContextEntry;

/**
 * The Intel VT-d second-level page-table format as an {@link IoPgtableFormat}: the same
 * interface the built-in ARM LPAE formats implement ({@code IoPgtableFormats}), so a driver
 * asks it for a table exactly as it would ask {@code ARM_64_LPAE_S1}. Linux's intel-iommu
 * writes these tables itself ({@code pfn_to_dma_pte}, {@code __domain_mapping},
 * {@code domain_unmap} in {@code drivers/iommu/intel/iommu.c}) rather than through io-pgtable;
 * this format puts that writer behind {@code IoPgtableOps}.
 *
 * <p>It restricts a request as {@code alloc_io_pgtable_ops} does: page sizes to 4 KiB, 2 MiB
 * and 1 GiB (4 KiB is required); the input width up to the smallest AGAW that covers it (39 or
 * 48 bits: Linux's {@code width_to_agaw} and the SAGAW the hardware offers); the output width
 * kept as given (the host address width, at most 52). 57-bit (5-level) tables are not
 * implemented. Immutable and thread-safe.
 */
public final class VtdSlFormat implements IoPgtableFormat {
    /** Linux-style name: there is no {@code enum io_pgtable_fmt} entry for it. */
    public static final String NAME = "INTEL_VTD_SL";
    /** 4 KiB, 2 MiB, 1 GiB. */
    public static final long PGSIZES = (1L << 12) | (1L << 21) | (1L << 30);

    /** The correct format. */
    public static final VtdSlFormat INSTANCE = new VtdSlFormat(Seed.NONE);

    private final Seed seed;

    /** The format with {@code seed}'s writer bugs ({@link Seed#DIRTY_TABLES}, {@link Seed#LEAK_TABLES}). */
    public VtdSlFormat(Seed seed) {
        this.seed = seed == null ? Seed.NONE : seed;
    }

    @Override
    public String name() {
        return NAME;
    }

    /** The geometry a request gets; see the class comment. */
    public static VtdSlConfig restrict(IoPgtableConfig cfg) {
        if (cfg == null) {
            throw new IllegalArgumentException(NAME + " needs a config");
        }
        long pg = cfg.pgsizeBitmap() & PGSIZES;
        if ((pg & (1L << 12)) == 0) {
            throw new IllegalArgumentException(NAME + ": 4 KiB pages are required, asked for 0x"
                    + Long.toHexString(cfg.pgsizeBitmap()));
        }
        int aw;
        if (cfg.ias() >= 12 && cfg.ias() <= ContextEntry.addressBits(ContextEntry.AW_39)) {
            aw = ContextEntry.AW_39;
        } else if (cfg.ias() > 39 && cfg.ias() <= ContextEntry.addressBits(ContextEntry.AW_48)) {
            aw = ContextEntry.AW_48;
        } else {
            throw new IllegalArgumentException(NAME + ": input address size " + cfg.ias()
                    + " is not 12..48 (5-level tables are not implemented)");
        }
        if (cfg.oas() < 32 || cfg.oas() > 52) {
            throw new IllegalArgumentException(NAME + ": output address size " + cfg.oas() + " is not 32..52");
        }
        return new VtdSlConfig(pg, ContextEntry.addressBits(aw), cfg.oas(), aw);
    }

    @Override
    public VtdSlPageTable allocate(IoPgtableConfig cfg, PhysicalMemory memory, PageAllocator allocator,
            IoPgtableFlushOps flushOps) {
        return VtdSlPageTable.allocate(restrict(cfg), memory, allocator, flushOps, seed);
    }

    @Override
    public String toString() {
        return NAME;
    }
}
