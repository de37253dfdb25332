package org.iommulab.iommu.dma.internal.dma;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.iommulab.api.backend.DmaOps;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.dma.DmaMasks;
import org.iommulab.api.dma.SgTable;
import org.iommulab.api.iommu.IommuDomain;
import org.iommulab.platform.internal.device.SimDmaDevice;
import org.junit.jupiter.api.Test;

/**
 * iommu_dma_map_sg lays a list out in one pass (sizing, iommu_map_sg's runs and __finalise_sg's
 * merge at relative addresses) where Linux walks it three times. This compares the one pass
 * with Linux's three loops, transcribed below from {@code drivers/iommu/dma-iommu.c}
 * ({@code iommu_dma_map_sg}'s sizing loop, {@code __finalise_sg}) as the reference, on random
 * lists: unaligned offsets, partial granules, physically contiguous neighbours (one run in
 * iommu_map_sg), lists longer than the segment boundary span (Linux pads them, and the pass
 * leaves __finalise_sg to the real addresses), page lists (every entry one whole aligned page:
 * the pass's shortcut) and several max segment sizes, one below a granule. Every DMA slot,
 * the segment count and the page tables behind every entry must be Linux's.
 */
class IommuDmaSgLayoutTest {
    private static final int K4 = 4096;
    private static final long GMASK = K4 - 1;
    private final Rig rig = new Rig();

    /**
     * IommuDmaSg keeps the first thread's layout to skip the ThreadLocal when that thread
     * maps again: each thread must still get its own layout every time (two threads mapping
     * lists through one device at once each lay theirs out in their own arrays).
     */
    @Test
    void eachThreadAlwaysGetsItsOwnLayout() throws Exception {
        IommuDmaSg sg = new IommuDmaSg(null);
        IommuDmaSgLayout mine = sg.layout();
        assertSame(mine, sg.layout());
        IommuDmaSgLayout[] other = new IommuDmaSgLayout[2];
        Thread t = new Thread(() -> {
            other[0] = sg.layout();
            other[1] = sg.layout();
        });
        t.start();
        t.join();
        assertNotSame(mine, other[0]);
        assertSame(other[0], other[1]);
        assertSame(mine, sg.layout(), "after another thread asked, this one still gets its own");
    }

    @Test
    void onePassLayoutIsLinuxsThreeLoops() throws Exception {
        long[] boundaries = {0xffff_ffffL, 0xffff, 0x1_ffff, 0x3fff, 0xfff, -1L};
        long[] maxSegs = {65536, 16384, 4096, 1 << 20, 0x7fff_ffff, 2048};
        long region = rig.pages(2048, (byte) 0x5a);
        Random rnd = new Random(15);
        int padded = 0;
        int merged = 0;
        int joined = 0;
        int mergedPageLists = 0;
        int sid = 1;
        for (long boundary : boundaries) {
            for (long maxSeg : maxSegs) {
                SimDmaDevice d = rig.device(Rig.dev("dev" + sid, sid).segmentBoundaryMask(boundary).maxSegmentSize(maxSeg));
                sid++;
                IommuDmaBinding b = rig.attach(false, d);
                DmaOps ops = b.ops();
                IommuDomain domain = ((IommuDmaOps) ops).domain();
                for (int c = 0; c < 60; c++) {
                    int n = 1 + rnd.nextInt(rnd.nextBoolean() ? 6 : 40);
                    // A third of the lists are page lists (every entry one whole aligned page),
                    // the pass's shortcut for pinned buffers and PRP lists.
                    boolean pageList = c % 3 == 0;
                    long[] phys = new long[n];
                    int[] len = new int[n];
                    for (int i = 0; i < n; i++) {
                        if (i > 0 && rnd.nextInt(4) == 0) {
                            phys[i] = phys[i - 1] + len[i - 1]; // continues the previous entry
                        } else {
                            int off = !pageList && rnd.nextInt(3) == 0 ? rnd.nextInt(K4) & ~7 : 0;
                            phys[i] = region + (long) rnd.nextInt(1900) * K4 + off;
                        }
                        int pick = rnd.nextInt(4);
                        len[i] = pageList ? K4 : pick == 0 ? 1 + rnd.nextInt(K4) : pick == 1 ? K4 : (1 + rnd.nextInt(3)) * K4
                                + (rnd.nextBoolean() ? 0 : rnd.nextInt(K4));
                        if (phys[i] + len[i] > region + 2048L * K4) {
                            phys[i] = region;
                        }
                    }
                    SgTable sg = SgTable.of(phys, len);
                    int count = ops.mapSg(sg, n, DmaDirection.BIDIRECTIONAL, 0);
                    assertTrue(count > 0, "mapSg failed: " + count + " " + sg);
                    long iova = sg.dmaAddressField(0) - (phys[0] & GMASK);
                    long[] alen = new long[n];
                    long iovaLen = linuxSizing(phys, len, boundary, alen);
                    long[] slotAddr = new long[n];
                    int[] slotLen = new int[n];
                    int want = linuxFinalise(phys, len, alen, iova, boundary, (int) maxSeg, slotAddr, slotLen);
                    String what = "boundary 0x" + Long.toHexString(boundary) + " max " + maxSeg + " " + sg;
                    assertEquals(want, count, what);
                    assertEquals(want, sg.nents(), what);
                    for (int i = 0; i < n; i++) {
                        assertEquals(slotAddr[i], sg.dmaAddressField(i), "slot " + i + " address, " + what);
                        assertEquals(slotLen[i], sg.dmaLengthField(i), "slot " + i + " length, " + what);
                    }
                    // iommu_map_sg: entry i's granules at iova + the aligned lengths before it.
                    long rel = 0;
                    for (int i = 0; i < n; i++) {
                        long base = phys[i] & ~GMASK;
                        for (long g = 0; g < len[i] + (phys[i] & GMASK); g += K4) {
                            assertEquals(base + g, domain.iovaToPhys(iova + rel + g), "entry " + i + ", " + what);
                        }
                        if (i > 0 && phys[i] == (phys[i - 1] & ~GMASK) + alen[i - 1]) {
                            joined++;
                        }
                        rel += alen[i];
                    }
                    if (boundary != -1 && Long.compareUnsigned(iovaLen, boundary + 1) > 0) {
                        padded++;
                    }
                    if (want < n) {
                        merged++;
                        if (pageList && n > 1) {
                            mergedPageLists++;
                        }
                    }
                    ops.unmapSg(sg, n, DmaDirection.BIDIRECTIONAL, 0);
                    assertEquals(0, domain.iovaToPhys(iova), what);
                }
            }
        }
        // The random lists reached every path of the pass.
        assertTrue(padded > 20, "lists longer than the boundary span: " + padded);
        assertTrue(merged > 100, "lists with merged segments: " + merged);
        assertTrue(joined > 100, "entries physically continuing the one before: " + joined);
        assertTrue(mergedPageLists > 100, "page lists merged into fewer segments: " + mergedPageLists);
    }

    /**
     * Linux {@code iommu_dma_map_sg}'s first loop: each entry's IOVA length aligned to the
     * granule, and "if (pad_len && pad_len < s_length - 1)" the pad that keeps the next entry
     * from crossing a segment boundary, added to the previous entry (size_t arithmetic).
     */
    private static long linuxSizing(long[] phys, int[] len, long mask, long[] alen) {
        long iovaLen = 0;
        for (int i = 0; i < phys.length; i++) {
            long off = phys[i] & GMASK;
            long sLength = (len[i] + off + GMASK) & ~GMASK;
            long padLen = (mask - iovaLen + 1) & mask;
            alen[i] = sLength;
            if (padLen != 0 && Long.compareUnsigned(padLen, sLength - 1) < 0) {
                alen[i - 1] += padLen;
                iovaLen += padLen;
            }
            iovaLen += sLength;
        }
        return iovaLen;
    }

    /**
     * Linux {@code __finalise_sg} at {@code dmaAddr}: an entry joins the current segment when
     * "cur_len && !s_iova_off && (dma_addr & seg_mask) && (max_len - cur_len >= s_length)"
     * (unsigned int), else it starts the next one; "if (s_length + s_iova_off < s_iova_len)
     * cur_len = 0". Every slot is first reset to DMA_MAPPING_ERROR/0.
     */
    private static int linuxFinalise(long[] phys, int[] len, long[] alen, long dmaAddr, long segMask, int maxLen,
            long[] slotAddr, int[] slotLen) {
        int n = phys.length;
        java.util.Arrays.fill(slotAddr, DmaMasks.MAPPING_ERROR);
        java.util.Arrays.fill(slotLen, 0);
        int cur = -1;
        int curLen = 0;
        int count = 0;
        for (int i = 0; i < n; i++) {
            long sIovaOff = phys[i] & GMASK;
            int sLength = len[i];
            long sIovaLen = alen[i];
            if (curLen != 0 && sIovaOff == 0 && (dmaAddr & segMask) != 0
                    && Integer.compareUnsigned(maxLen - curLen, sLength) >= 0) {
                curLen += sLength;
            } else {
                cur++;
                count++;
                curLen = sLength;
                slotAddr[cur] = dmaAddr + sIovaOff;
            }
            slotLen[cur] = curLen;
            dmaAddr += sIovaLen;
            if (sLength + sIovaOff < sIovaLen) {
                curLen = 0;
            }
        }
        return count;
    }
}
