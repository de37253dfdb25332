package org.iommulab.api.iommu;

import java.util.List;

/**
 * A summary of one domain's page-table tree at one moment: how many tables each level holds,
 * how many leaf entries map blocks (a leaf above the last level) and pages (a leaf at the last
 * level), and the memory the tables take. Taken by walking the tables as the hardware would,
 * from the top-level table down through every valid table descriptor. Immutable.
 *
 * @param firstLevel the level of the top-level table (0 for a 48-bit, 4 KiB-granule LPAE table)
 * @param tablesPerLevel tables at level {@code firstLevel + i}, index {@code i}; the first is 1
 * @param blocks valid block descriptors (leaves above the last level)
 * @param pages valid page descriptors (leaves at the last level)
 * @param tableBytes bytes of memory the tables hold, as allocated (whole pages)
 */
public record PageTableCensus(int firstLevel, List<Long> tablesPerLevel, long blocks, long pages, long tableBytes) {
    public PageTableCensus {
        if (firstLevel < 0 || tablesPerLevel == null || tablesPerLevel.isEmpty() || blocks < 0 || pages < 0
                || tableBytes < 0) {
            throw new IllegalArgumentException("page-table census needs a level, a count per level and counts >= 0");
        }
        tablesPerLevel = List.copyOf(tablesPerLevel);
    }

    /** Every table of the tree, the top-level one included. */
    public long tables() {
        long n = 0;
        for (long t : tablesPerLevel) {
            n += t;
        }
        return n;
    }
}
