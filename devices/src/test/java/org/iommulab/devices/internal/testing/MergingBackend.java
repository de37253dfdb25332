package org.iommulab.devices.internal.testing;

import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;

import org.iommulab.api.backend.DeviceBinding;
import org.iommulab.api.backend.DmaBackend;
import org.iommulab.api.backend.DmaDevice;
import org.iommulab.api.backend.DmaOps;
import org.iommulab.api.backend.TranslationPort;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.dma.DmaErrno;
import org.iommulab.api.dma.SgTable;
import org.iommulab.api.platform.AccessType;
import org.iommulab.api.platform.DmaFault;
import org.iommulab.api.platform.DmaFaultException;
import org.iommulab.api.platform.FaultKind;
import org.iommulab.testkit.ForwardingOps;
import org.iommulab.testkit.WrappingBackend;

/**
 * A test backend that merges scatterlists as iommu-dma does, without being an IOMMU model:
 * single mappings and coherent buffers come from the inner (direct) backend, and sg lists are
 * mapped into an IOVA window of a tiny page table, each run of page-aligned entries as one DMA
 * segment of up to the device's max segment size ({@code __finalise_sg}'s rule, simplified).
 * The window [256 MiB, 1 GiB) holds no RAM, so IOVAs never collide with direct addresses, and
 * lies below 4 GiB, so 32-bit devices reach it. A device access into the window that is not
 * mapped faults.
 */
public final class MergingBackend {
    public static final long WINDOW = 0x1000_0000L;
    public static final long WINDOW_END = 0x4000_0000L;
    private static final long PAGE = 4096;

    private MergingBackend() {
    }

    public static DmaBackend over(String name, DmaBackend direct) {
        return new WrappingBackend(name, direct, (dev, real) -> {
            Iommu iommu = new Iommu(dev);
            return WrappingBackend.binding(iommu.ops(real.ops()), iommu.port(real.port()), real);
        });
    }

    /** One device's IOVA page table and its sg bookkeeping. */
    private static final class Iommu {
        private final DmaDevice dev;
        private final Map<Long, Long> pages = new HashMap<>();
        private final Map<SgTable, long[]> mapped = new IdentityHashMap<>();
        private long next = WINDOW;

        Iommu(DmaDevice dev) {
            this.dev = dev;
        }

        DmaOps ops(DmaOps direct) {
            return new ForwardingOps(direct) {
                @Override
                public synchronized int mapSg(SgTable sg, int nents, DmaDirection dir, int attrs) {
                    return map(sg, nents);
                }

                @Override
                public synchronized void unmapSg(SgTable sg, int nents, DmaDirection dir, int attrs) {
                    long[] iovaPages = mapped.remove(sg);
                    if (iovaPages != null) {
                        for (long p : iovaPages) {
                            pages.remove(p);
                        }
                    }
                    sg.invalidateDma();
                }

                @Override
                public void syncSgForCpu(SgTable sg, int nents, DmaDirection dir) {
                    // Identity pages, coherent: nothing to copy or flush.
                }

                @Override
                public void syncSgForDevice(SgTable sg, int nents, DmaDirection dir) {
                }
            };
        }

        TranslationPort port(TranslationPort direct) {
            return new TranslationPort() {
                @Override
                public long translate(int sid, long bus, AccessType access) {
                    if (bus < WINDOW || bus >= WINDOW_END) {
                        return direct.translate(sid, bus, access);
                    }
                    Long phys;
                    synchronized (Iommu.this) {
                        phys = pages.get(bus & -PAGE);
                    }
                    if (phys == null) {
                        DmaFault f = DmaFault.builder(FaultKind.TRANSLATION).device(dev.name(), sid).address(bus, access)
                                .backend("merge").detail("unmapped IOVA").build();
                        dev.reportFault(f);
                        throw new DmaFaultException(f);
                    }
                    return phys + (bus & (PAGE - 1));
                }

                @Override
                public int pageShift() {
                    return 12;
                }
            };
        }

        /** Lays the entries out back to back in IOVA pages and merges page-aligned neighbours. */
        private int map(SgTable sg, int nents) {
            long span = 0;
            for (int i = 0; i < nents; i++) {
                span += align(sg.cpuOffset(i) + sg.cpuLength(i));
            }
            if (next + span > WINDOW_END) {
                if (!mapped.isEmpty()) {
                    return DmaErrno.ENOMEM;
                }
                next = WINDOW;
            }
            long base = next;
            next += span;
            long[] used = new long[(int) (span / PAGE)];
            int u = 0;
            long iova = base;
            int segs = 0;
            long segStart = 0;
            long segLen = 0;
            boolean open = false;
            long max = dev.descriptor().maxSegmentSize();
            for (int i = 0; i < nents; i++) {
                int off = sg.cpuOffset(i);
                int len = sg.cpuLength(i);
                long aligned = align(off + len);
                for (long p = 0; p < aligned; p += PAGE) {
                    pages.put(iova + p, sg.cpuPage(i) + p);
                    used[u++] = iova + p;
                }
                boolean joins = open && off == 0 && segLen + len <= max && (segStart + segLen) % PAGE == 0;
                if (joins) {
                    segLen += len;
                } else {
                    if (open) {
                        sg.setDmaSegment(segs++, segStart, (int) segLen);
                    }
                    segStart = iova + off;
                    segLen = len;
                    open = true;
                }
                iova += aligned;
            }
            sg.setDmaSegment(segs++, segStart, (int) segLen);
            for (int i = segs; i < nents; i++) {
                sg.setDmaSegment(i, org.iommulab.api.dma.DmaMasks.MAPPING_ERROR, 0);
            }
            sg.setNents(segs);
            mapped.put(sg, used);
            return segs;
        }

        private static long align(long v) {
            return (v + PAGE - 1) & -PAGE;
        }
    }
}
