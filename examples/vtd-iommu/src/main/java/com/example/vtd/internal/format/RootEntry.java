package com.example.vtd.internal.format;

import org.iommulab.modelkit.regs.Field;
import org.iommulab.modelkit.regs.StructField;
import org.iommulab.modelkit.regs.StructLayout;

/**
 * A legacy-mode root entry (VT-d spec §9.1, "Root Entry"): 256 of them, one per bus, fill the
 * 4 KiB root table at RTADDR; entry {@code bus} is at {@code RTA + 16 * bus}.
 *
 * <pre>
 *   word 0: P [0]        present
 *           CTP [63:12]  context-table pointer (bits above the host address width reserved)
 *           [11:1]       reserved
 *   word 1:              reserved (the upper context table is scalable mode only)
 * </pre>
 * Linux {@code struct root_entry}, {@code iommu_context_addr}; QEMU {@code VTD_ROOT_ENTRY_*}.
 */
public final class RootEntry {
    private RootEntry() {
    }

    public static final int SIZE = 16;
    public static final int ENTRIES = 256;

    public static final StructLayout LAYOUT = StructLayout.of("RootEntry", SIZE, "VT-d §9.1");
    public static final StructField P = LAYOUT.bit(0, "P", 0);
    public static final StructField CTP = LAYOUT.range(0, "CTP", 63, 12);
    public static final StructField RSVD_LO = LAYOUT.range(0, "RSVD", 11, 1);

    /** Address of bus {@code bus}'s root entry in the table at {@code rta}. */
    public static long address(long rta, int bus) {
        return rta + (long) SIZE * bus;
    }

    /** Word 0 of a present entry pointing at {@code contextTable}. */
    public static long lo(long contextTable) {
        return CTP.bits(contextTable) | P.mask();
    }

    /** Bits that must be zero in word 0 of a present entry, for host address width {@code haw}. */
    public static long reservedLo(int haw) {
        return RSVD_LO.mask() | ~Field.range("HAW", haw - 1, 0).mask();
    }
}
