package org.iommulab.iommu.dma.internal.dma;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.iommulab.api.backend.TranslationPort;
import org.iommulab.api.platform.AccessType;
import org.iommulab.api.platform.DmaFault;
import org.iommulab.api.platform.DmaFaultException;
import org.iommulab.api.platform.FaultKind;
import org.iommulab.platform.internal.memory.SparsePhysicalMemory;
import org.iommulab.platform.internal.memory.ZonedPageAllocator;
import org.junit.jupiter.api.Test;

/**
 * A lazy binding's port translates runs as the IOMMU does and counts a stale translation for
 * every block of the run that is still in the flush queue, exactly as a translation per block
 * would.
 */
class StaleWindowPortTest {
    private final long[] now = {0};
    private final SparsePhysicalMemory mem = SparsePhysicalMemory.defaultLayout();
    private final LpaeTestDomain domain = new LpaeTestDomain(1L << 12, 48, mem, new ZonedPageAllocator(mem));

    /** An IOMMU that maps every 4 KiB block of bus address b to b + 1 GiB and translates whole runs; bus page 0x80 faults. */
    private static final class RunPort implements TranslationPort {
        int runs;

        @Override
        public long translate(int streamId, long busAddr, AccessType access) {
            if (busAddr >>> 12 == 0x80) {
                throw new DmaFaultException(DmaFault.builder(FaultKind.TRANSLATION).device("test", streamId)
                        .address(busAddr, access).build());
            }
            return busAddr + (1L << 30);
        }

        @Override
        public int translateRun(int streamId, long busAddr, AccessType access, long[] frames, int count) {
            runs++;
            for (int i = 0; i < count; i++) {
                frames[i] = translate(streamId, i == 0 ? busAddr : (busAddr & -4096L) + ((long) i << 12), access);
            }
            return count;
        }

        @Override
        public int pageShift() {
            return 12;
        }
    }

    private FlushQueue fq() {
        return new FlushQueue(domain, (pfn, pages, cpu) -> { }, 256, 10_000_000L, () -> now[0], 1, () -> 0, false);
    }

    @Test
    void aRunCountsEveryPendingBlockAsOneTranslationPerBlockWould() {
        FlushQueue fq = fq();
        // Pages 0x11 and 0x13..0x14 wait for the flush; 0x10, 0x12, 0x15..0x17 do not.
        fq.queue(0x11, 1);
        fq.queue(0x13, 2);
        DmaCounters byRun = new DmaCounters();
        DmaCounters byBlock = new DmaCounters();
        RunPort inner = new RunPort();
        StaleWindowPort run = new StaleWindowPort(inner, fq, byRun, 12);
        StaleWindowPort block = new StaleWindowPort(inner, fq, byBlock, 12);
        long[] frames = new long[8];
        // Block 0 starts 0x40 bytes into page 0x10, as a device access may.
        assertEquals(8, run.translateRun(3, 0x10040, AccessType.READ, frames, 8));
        assertEquals(1, inner.runs, "one run through the IOMMU");
        long[] expected = new long[8];
        for (int i = 0; i < 8; i++) {
            expected[i] = block.translate(3, i == 0 ? 0x10040 : 0x10000 + ((long) i << 12), AccessType.READ);
        }
        assertArrayEquals(expected, frames);
        assertEquals(3, byBlock.staleTranslations.sum(), "pages 0x11, 0x13, 0x14");
        assertEquals(byBlock.staleTranslations.sum(), byRun.staleTranslations.sum());
    }

    @Test
    void aRunWithNothingQueuedCountsNothingAndAFaultCountsNothingEither() {
        FlushQueue fq = fq();
        DmaCounters c = new DmaCounters();
        StaleWindowPort port = new StaleWindowPort(new RunPort(), fq, c, 12);
        long[] frames = new long[4];
        assertEquals(4, port.translateRun(3, 0x20000, AccessType.WRITE, frames, 4));
        assertEquals(0, c.staleTranslations.sum());
        fq.queue(0x80, 1);
        assertThrows(DmaFaultException.class, () -> port.translateRun(3, 0x80000, AccessType.READ, frames, 2));
        assertEquals(0, c.staleTranslations.sum(), "a denied block 0 is no stale translation");
    }

    @Test
    void aRunFiresADueTimerFirstAsATranslationDoes() {
        FlushQueue fq = fq();
        fq.queue(0x30, 1);
        DmaCounters c = new DmaCounters();
        StaleWindowPort port = new StaleWindowPort(new RunPort(), fq, c, 12);
        now[0] = 10_000_000L;
        long[] frames = new long[2];
        port.translateRun(3, 0x30000, AccessType.READ, frames, 2);
        assertEquals(1, fq.flushes(), "the 10 ms timer fired before the run");
        assertEquals(0, c.staleTranslations.sum(), "after the flush page 0x30 is no longer pending");
    }
}
