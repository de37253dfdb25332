package org.iommulab.iopgtable;

import java.util.List;

import org.iommulab.iopgtable.lpae.LpaeStage;

/**
 * The built-in formats, Linux's {@code io_pgtable_init_table} ({@code drivers/iommu/io-pgtable.c})
 * for the formats this library writes: ARM LPAE (VMSAv8-64) stage 1 and stage 2, each with the
 * 4K, 16K or 64K granule the requested page sizes select. A format from another bundle is not
 * listed here: its user holds it directly.
 */
public final class IoPgtableFormats {
    /** Linux {@code ARM_64_LPAE_S1}: VA to IPA/PA, AP permissions, MAIR attribute indexes. */
    public static final IoPgtableFormat ARM_64_LPAE_S1 = new ArmLpaeFormat("ARM_64_LPAE_S1", LpaeStage.STAGE1);
    /** Linux {@code ARM_64_LPAE_S2}: IPA to PA, S2AP permissions, concatenated start tables. */
    public static final IoPgtableFormat ARM_64_LPAE_S2 = new ArmLpaeFormat("ARM_64_LPAE_S2", LpaeStage.STAGE2);

    private static final List<IoPgtableFormat> BUILT_IN = List.of(ARM_64_LPAE_S1, ARM_64_LPAE_S2);

    private IoPgtableFormats() {
    }

    /** Every built-in format, in the order of Linux's {@code enum io_pgtable_fmt}. */
    public static List<IoPgtableFormat> builtIn() {
        return BUILT_IN;
    }

    /** The built-in format called {@code name}, or null. */
    public static IoPgtableFormat byName(String name) {
        for (IoPgtableFormat f : BUILT_IN) {
            if (f.name().equals(name)) {
                return f;
            }
        }
        return null;
    }
}
