package org.iommulab.iopgtable;

/** What {@link IoPgtableConfig#of} returns: a driver's request, before a format restricts it. */
record RequestedIoPgtableConfig(long pgsizeBitmap, int ias, int oas) implements IoPgtableConfig {
    @Override
    public String toString() {
        return String.format("pgsize 0x%x IAS %d OAS %d", pgsizeBitmap, ias, oas);
    }
}
