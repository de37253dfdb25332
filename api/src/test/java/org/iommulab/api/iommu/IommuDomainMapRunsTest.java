package org.iommulab.api.iommu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;

import org.iommulab.api.backend.BackendCounter;
import org.iommulab.api.backend.DmaDevice;
import org.junit.jupiter.api.Test;

/**
 * The default {@link IommuDomain#mapRuns}: Linux {@code iommu_map_sg}'s loop, one
 * {@code __iommu_map} per run at the IOVA right after the runs before it; on a failure,
 * {@code iommu_unmap(domain, iova, mapped)} of what it had mapped (one unmap, one
 * {@code iotlb_sync}) and the error; bad arrays refused before anything is mapped.
 */
class IommuDomainMapRunsTest {
    private static final long IOVA = 0x4000_0000L;

    /** Records the calls; map of the physical address {@code failAt} fails with ENOMEM. */
    private static final class Recording implements IommuDomain {
        final List<String> calls = new ArrayList<>();
        long failAt = -1;

        @Override
        public int map(long iova, long paddr, long size, int prot) {
            calls.add(String.format("map %x %x %x", iova, paddr, size));
            return paddr == failAt ? IommuErrno.ENOMEM : 0;
        }

        @Override
        public long unmap(long iova, long size, IotlbGather gather) {
            calls.add(String.format("unmap %x %x", iova, size));
            gather.add(iova, size, 0x1000);
            return size;
        }

        @Override
        public void iotlbSync(IotlbGather gather) {
            calls.add(String.format("sync %x-%x", gather.start(), gather.end()));
        }

        @Override
        public DomainType type() {
            return DomainType.DMA;
        }

        @Override
        public int attachDevice(DmaDevice device) {
            return 0;
        }

        @Override
        public void detachDevice(DmaDevice device) {
        }

        @Override
        public void flushIotlbAll() {
        }

        @Override
        public long iovaToPhys(long iova) {
            return 0;
        }

        @Override
        public long pgsizeBitmap() {
            return 0x4000_1000L;
        }

        @Override
        public long apertureStart() {
            return 0;
        }

        @Override
        public long apertureEnd() {
            return -1L;
        }

        @Override
        public long counter(BackendCounter counter) {
            return -1;
        }

        @Override
        public void free() {
        }
    }

    private static final long[] PHYS = {0x10_0000L, 0x30_0000L, 0x20_0000L};
    private static final long[] LEN = {0x1000, 0x2000, 0x1000};

    @Test
    void eachRunIsMappedRightAfterTheOnesBeforeIt() {
        Recording d = new Recording();
        assertEquals(0, d.mapRuns(IOVA, PHYS, LEN, 3, IommuProt.READ));
        // Run 1 starts after run 0's 4 KiB, run 2 after run 1's 8 KiB: 0x40001000, 0x40003000.
        assertEquals(List.of("map 40000000 100000 1000", "map 40001000 300000 2000", "map 40003000 200000 1000"),
                d.calls);
    }

    @Test
    void aFailureUnmapsWhatWasMappedOnceAndSyncsOnce() {
        Recording d = new Recording();
        d.failAt = 0x20_0000L;
        assertEquals(IommuErrno.ENOMEM, d.mapRuns(IOVA, PHYS, LEN, 3, IommuProt.READ));
        // Runs 0 and 1 (12 KiB) were mapped: iommu_unmap(domain, iova, 0x3000), then its sync of
        // [0x40000000, 0x40002fff].
        assertEquals(List.of("map 40000000 100000 1000", "map 40001000 300000 2000", "map 40003000 200000 1000",
                "unmap 40000000 3000", "sync 40000000-40002fff"), d.calls);
    }

    @Test
    void aFailureOfTheFirstRunUnmapsNothing() {
        Recording d = new Recording();
        d.failAt = 0x10_0000L;
        assertEquals(IommuErrno.ENOMEM, d.mapRuns(IOVA, PHYS, LEN, 3, IommuProt.READ));
        assertEquals(List.of("map 40000000 100000 1000"), d.calls);
    }

    @Test
    void badArraysAreRefusedBeforeAnythingIsMapped() {
        Recording d = new Recording();
        assertThrows(IllegalArgumentException.class, () -> d.mapRuns(IOVA, null, LEN, 1, IommuProt.READ));
        assertThrows(IllegalArgumentException.class, () -> d.mapRuns(IOVA, PHYS, null, 1, IommuProt.READ));
        assertThrows(IllegalArgumentException.class, () -> d.mapRuns(IOVA, PHYS, LEN, -1, IommuProt.READ));
        assertThrows(IllegalArgumentException.class, () -> d.mapRuns(IOVA, PHYS, new long[2], 3, IommuProt.READ));
        assertThrows(IllegalArgumentException.class, () -> d.mapRuns(IOVA, PHYS, LEN, 4, IommuProt.READ));
        assertEquals(List.of(), d.calls);
        assertEquals(0, d.mapRuns(IOVA, PHYS, LEN, 0, IommuProt.READ), "no runs: nothing to map");
        assertEquals(List.of(), d.calls);
    }
}
