package com.example.vtd.internal.pgtable;

import org.iommulab.iopgtable.IoPgtableConfig;

import com.example.vtd.internal.format.ContextEntry;

/**
 * What {@link VtdSlFormat} made of a request: the page sizes (4 KiB, and 2 MiB / 1 GiB where
 * asked for), the adjusted guest address width the table serves ({@code ias}: 39 or 48 bits,
 * context-entry AW 1 or 2, 3 or 4 levels) and the host address width tables and pages must lie
 * below ({@code oas}). Immutable.
 *
 * @param aw the context entry's AW encoding for this table
 */
public record VtdSlConfig(long pgsizeBitmap, int ias, int oas, int aw) implements IoPgtableConfig {
    /** Table levels: 3 for AW 1, 4 for AW 2. */
    public int levels() {
        return ContextEntry.levels(aw);
    }

    @Override
    public String toString() {
        return String.format("VT-d second-level, %d levels (AW %d, %d-bit IOVA), OAS %d, pgsize 0x%x", levels(), aw, ias,
                oas, pgsizeBitmap);
    }
}
