package org.iommulab.app.internal.properties;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.iommulab.api.admin.DeviceStats;
import org.iommulab.api.admin.Stat;
import org.iommulab.api.checker.Finding;
import org.iommulab.api.dma.CoherentAllocation;
import org.iommulab.api.dma.DmaApi;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.dma.DmaMasks;
import org.iommulab.api.dma.SgTable;
import org.iommulab.api.platform.BusMaster;
import org.iommulab.api.platform.DeviceDescriptor;
import org.iommulab.api.platform.DmaFaultException;
import org.iommulab.api.platform.PageAllocator;
import org.iommulab.api.platform.Zone;

/**
 * Plays a correct driver through a sequence of {@link Op}s on one device of a
 * {@link PropertyRig}, keeping a model of what each live mapping's device should see, and checks
 * the invariants of {@link DmaApiPropertiesTest} after every step and at the end. A broken
 * invariant throws an {@link AssertionError} naming the step.
 */
final class SequenceRun {
    static final String DEVICE = "prop0";
    private static final int PAGE = (int) PageAllocator.PAGE_SIZE;
    private static final long GRANULE = PAGE;

    /** The device's variant: what the DMA path treats differently. */
    record Flavor(boolean mask32, boolean coherent, boolean trusted) {
        DeviceDescriptor descriptor() {
            return DeviceDescriptor.builder(DEVICE).streamIds(0x42).dmaMask(DmaMasks.bits(mask32 ? 32 : 64)).coherent(coherent)
                    .trusted(trusted).pci(!trusted).build();
        }
    }

    /** A live mapping as the driver holds it, and what its device should see. */
    private static final class Live {
        final Op source;
        final DmaDirection dir;
        /** CPU entries: physical address and length (one for a single mapping or a coherent buffer). */
        final long[] cpu;
        final int[] cpuLen;
        /** DMA segments, covering the transfer in order. */
        final long[] dma;
        final int[] dmaLen;
        /** What the CPU put there before the mapping (streaming), and what the device should see now. */
        final byte[] original;
        final byte[] device;
        final SgTable sg;
        final int nents;
        final CoherentAllocation coherent;
        final boolean viaPage;
        /** Allocations to free once unmapped. */
        final long[] pages;

        Live(Op source, DmaDirection dir, long[] cpu, int[] cpuLen, long[] dma, int[] dmaLen, byte[] original, SgTable sg,
                int nents, CoherentAllocation coherent, boolean viaPage, long[] pages) {
            this.source = source;
            this.dir = dir;
            this.cpu = cpu;
            this.cpuLen = cpuLen;
            this.dma = dma;
            this.dmaLen = dmaLen;
            this.original = original;
            this.device = original.clone();
            this.sg = sg;
            this.nents = nents;
            this.coherent = coherent;
            this.viaPage = viaPage;
            this.pages = pages;
        }

        int length() {
            return original.length;
        }

        boolean deviceReads() {
            return coherent != null || dir != DmaDirection.FROM_DEVICE;
        }

        boolean deviceWrites() {
            return coherent != null || dir != DmaDirection.TO_DEVICE;
        }

        @Override
        public String toString() {
            return (coherent != null ? "coherent" : sg != null ? "sg " + cpu.length + "->" + nents : "single") + " " + dir + " "
                    + length() + " bytes at dma " + hex(dma) + " (from " + source + ")";
        }
    }

    private final PropertyRig rig;
    private final Flavor flavor;
    private final List<Live> live = new ArrayList<>();
    private final List<Long> freeLater = new ArrayList<>();
    private DmaApi api;
    private int step;
    private Op current;
    private long findingsBefore;
    private long allocatedBefore;
    private volatile AssertionError releaseFailure;

    SequenceRun(Flavor flavor, String startBackend) {
        this.flavor = flavor;
        this.rig = new PropertyRig(a -> api = a, this::released);
        // What an IOMMU keeps for its whole life once a stream came by (the generic IOMMU's
        // device table, SMMUv3's level-2 stream table of the stream ID) is not the device's:
        // a first device on every backend takes it before the baseline.
        rig.platform.addDevice(flavor.descriptor());
        for (String b : PropertyRig.BACKENDS) {
            rig.platform.bind(DEVICE, b);
        }
        rig.platform.removeDevice(DEVICE);
        allocatedBefore = rig.allocator.allocatedBytes();
        rig.platform.addDevice(flavor.descriptor());
        rig.platform.bind(DEVICE, startBackend);
        require(api != null && api.backendName().equals(startBackend), "the device is bound to " + startBackend);
    }

    /** Runs the sequence, checking after every step, then releases everything and checks the end. */
    void run(List<Op> ops) {
        findingsBefore = lastFinding();
        for (Op op : ops) {
            step++;
            current = op;
            apply(op);
            checkInvariants();
        }
        step++;
        current = null;
        releaseAll(api);
        checkInvariants();
        require(rig.platform.liveMappings(DEVICE) == 0, "nothing is live once the driver released everything");
        rig.platform.removeDevice(DEVICE);
        if (releaseFailure != null) {
            throw releaseFailure;
        }
        for (long p : freeLater) {
            rig.allocator.free(p);
        }
        freeLater.clear();
        long leaks = rig.platform.allStats().stream().filter(s -> s.device().equals(DEVICE)).mapToLong(s -> s.get(Stat.LEAKS_RECLAIMED))
                .sum();
        require(leaks == 0, "no leak was reclaimed (got " + leaks + ")");
        require(rig.pool.stats().usedSlots() == 0, "no swiotlb slot is left in use (" + rig.pool.stats().usedSlots() + ")");
        require(rig.allocator.allocatedBytes() == allocatedBefore, "every page went back: " + rig.allocator.allocatedBytes()
                + " bytes allocated at the end, " + allocatedBefore + " before the device came");
    }

    // ---- the steps ---------------------------------------------------------------------------

    private void apply(Op op) {
        if (op instanceof Op.MapSingle m) {
            mapSingle(m);
        } else if (op instanceof Op.MapSg m) {
            mapSg(m);
        } else if (op instanceof Op.Alloc a) {
            alloc(a);
        } else if (op instanceof Op.Unmap u) {
            Live l = pick(u.index(), null);
            if (l != null) {
                unmap(api, l);
                live.remove(l);
                if (isIommu()) {
                    unmappedFaults(l);
                }
            }
        } else if (op instanceof Op.Sync s) {
            Live l = pick(s.index(), x -> x.coherent == null);
            if (l != null) {
                sync(l);
            }
        } else if (op instanceof Op.DeviceWrite w) {
            Live l = pick(w.index(), Live::deviceWrites);
            if (l != null) {
                deviceWrite(l, w.offset(), w.length(), w.seed());
            }
        } else if (op instanceof Op.DeviceRead r) {
            Live l = pick(r.index(), Live::deviceReads);
            if (l != null) {
                checkDeviceSees(l, "a device read");
            }
        } else if (op instanceof Op.CpuWrite w) {
            Live l = pick(w.index(), x -> x.coherent != null);
            if (l != null) {
                cpuWrite(l, w.offset(), w.length(), w.seed());
            }
        } else if (op instanceof Op.Swap s) {
            String to = PropertyRig.BACKENDS.get(Math.floorMod(s.backend(), PropertyRig.BACKENDS.size()));
            boolean moves = !to.equals(api.backendName());
            rig.platform.bind(DEVICE, to);
            if (releaseFailure != null) {
                throw releaseFailure;
            }
            require(!moves || live.isEmpty(), "the driver released everything before the swap went on");
            require(api != null && api.backendName().equals(to), "the device is bound to " + to);
        }
    }

    private void mapSingle(Op.MapSingle m) {
        int offset = m.offset() % PAGE;
        long pages = alloc((offset + m.size() + PAGE - 1) / PAGE, m.zone());
        long phys = pages + offset;
        byte[] data = random(m.seed(), m.size());
        rig.memory.write(phys, data, 0, data.length);
        long dma = m.viaPage() ? api.mapPage(pages, offset, m.size(), m.dir(), 0) : api.mapPhys(phys, m.size(), m.dir(), 0);
        require(!api.mappingError(dma), "the mapping succeeds");
        live.add(new Live(m, m.dir(), new long[] {phys}, new int[] {m.size()}, new long[] {dma}, new int[] {m.size()}, data, null, 1,
                null, m.viaPage(), new long[] {pages}));
    }

    private void mapSg(Op.MapSg m) {
        int n = m.entries().size();
        long[] cpu = new long[n];
        int[] len = new int[n];
        long[] pages = new long[n];
        SgTable sg = new SgTable(n);
        int total = 0;
        for (int i = 0; i < n; i++) {
            Op.Entry e = m.entries().get(i);
            int offset = e.offset() % PAGE;
            pages[i] = alloc((offset + e.length() + PAGE - 1) / PAGE, m.zone());
            cpu[i] = pages[i] + offset;
            len[i] = e.length();
            sg.add(cpu[i], len[i]);
            total += len[i];
        }
        byte[] data = random(m.seed(), total);
        for (int i = 0, at = 0; i < n; at += len[i], i++) {
            rig.memory.write(cpu[i], data, at, len[i]);
        }
        int nents;
        if (m.sgtable()) {
            int rc = api.mapSgtable(sg, m.dir(), 0);
            require(rc == 0, "dma_map_sgtable succeeds (got " + rc + ")");
            nents = sg.nents();
        } else {
            nents = api.mapSg(sg, n, m.dir(), 0);
            require(nents > 0, "dma_map_sg succeeds");
        }
        require(nents <= n, "at most as many DMA segments as CPU entries (" + nents + " for " + n + ")");
        long[] dma = new long[nents];
        int[] dmaLen = new int[nents];
        long covered = 0;
        for (int s = 0; s < nents; s++) {
            dma[s] = sg.dmaAddress(s);
            dmaLen[s] = sg.dmaLength(s);
            covered += dmaLen[s];
        }
        require(covered == total, "the DMA segments cover the " + total + "-byte transfer (they cover " + covered + ")");
        live.add(new Live(m, m.dir(), cpu, len, dma, dmaLen, data, sg, nents, null, false, pages));
    }

    private void alloc(Op.Alloc a) {
        CoherentAllocation c = api.allocCoherent(a.size());
        require(c != null, "dma_alloc_coherent of " + a.size() + " bytes succeeds");
        require(c.size() == a.size(), "the allocation has the size asked for");
        byte[] zero = new byte[a.size()];
        require(Arrays.equals(cpuBytes(c.cpuAddress(), a.size()), zero), "a coherent buffer comes zeroed");
        byte[] data = random(a.seed(), a.size());
        api.cpu().write(c.cpuAddress(), data, 0, data.length);
        live.add(new Live(a, DmaDirection.BIDIRECTIONAL, new long[] {c.cpuAddress()}, new int[] {a.size()},
                new long[] {c.dmaHandle()}, new int[] {a.size()}, data, null, 1, c, false, new long[0]));
    }

    /** Unmaps (or frees) {@code l} through {@code through} and checks what the CPU got back. */
    private void unmap(DmaApi through, Live l) {
        if (l.coherent != null) {
            through.freeCoherent(l.coherent);
            return;
        }
        if (l.sg != null) {
            if (((Op.MapSg) l.source).sgtable()) {
                through.unmapSgtable(l.sg, l.dir, 0);
            } else {
                through.unmapSg(l.sg, l.cpu.length, l.dir, 0);
            }
        } else if (l.viaPage) {
            through.unmapPage(l.dma[0], l.length(), l.dir, 0);
        } else {
            through.unmapPhys(l.dma[0], l.length(), l.dir, 0);
        }
        checkCpuSees(l, "the unmap");
        for (long p : l.pages) {
            freeLater.add(p);
        }
    }

    private void sync(Live l) {
        if (l.sg != null) {
            api.syncSgForCpu(l.sg, l.cpu.length, l.dir);
            checkCpuSees(l, "dma_sync_sg_for_cpu");
            api.syncSgForDevice(l.sg, l.cpu.length, l.dir);
        } else {
            api.syncSingleForCpu(l.dma[0], l.length(), l.dir);
            checkCpuSees(l, "dma_sync_single_for_cpu");
            api.syncSingleForDevice(l.dma[0], l.length(), l.dir);
        }
    }

    private void deviceWrite(Live l, int offset, int length, long seed) {
        int at = offset % l.length();
        int n = Math.max(1, Math.min(length, l.length() - at));
        byte[] data = random(seed, n);
        BusMaster bus = api.busMaster();
        for (int done = 0; done < n;) {
            int seg = segmentOf(l, at + done);
            int inSeg = at + done - segmentStart(l, seg);
            int chunk = Math.min(n - done, l.dmaLen[seg] - inSeg);
            bus.write(l.dma[seg] + inSeg, data, done, chunk);
            done += chunk;
        }
        System.arraycopy(data, 0, l.device, at, n);
        if (l.coherent != null) {
            require(Arrays.equals(cpuBytes(l.cpu[0], l.length()), l.device), "the CPU sees a device write to coherent memory at once");
        }
    }

    private void cpuWrite(Live l, int offset, int length, long seed) {
        int at = offset % l.length();
        int n = Math.max(1, Math.min(length, l.length() - at));
        byte[] data = random(seed, n);
        api.cpu().write(l.cpu[0] + at, data, 0, n);
        System.arraycopy(data, 0, l.device, at, n);
        checkDeviceSees(l, "a CPU write to coherent memory");
    }

    /**
     * The driver's release: everything it holds is unmapped or freed while its DmaApi is being
     * released. It runs on the platform's release thread: a broken invariant is kept for the
     * step to throw.
     */
    private void released(DmaApi a) {
        try {
            releaseAll(a);
        } catch (AssertionError e) {
            releaseFailure = e;
        }
        if (api == a) {
            api = null;
        }
    }

    private void releaseAll(DmaApi through) {
        for (Live l : new ArrayList<>(live)) {
            unmap(through, l);
        }
        live.clear();
    }

    // ---- the invariants ------------------------------------------------------------------------

    private void checkInvariants() {
        String backend = api == null ? null : api.backendName();
        // No two live mappings share a DMA address; behind an IOMMU not even an IOVA granule.
        List<long[]> ranges = new ArrayList<>();
        for (Live l : live) {
            for (int s = 0; s < l.dma.length; s++) {
                long start = l.dma[s];
                long end = start + l.dmaLen[s];
                if (isIommu()) {
                    start &= -GRANULE;
                    end = (end + GRANULE - 1) & -GRANULE;
                }
                for (long[] r : ranges) {
                    require(start >= r[1] || end <= r[0], "live DMA ranges do not overlap: " + hex(start) + "-" + hex(end) + " of " + l
                            + " meets " + hex(r[0]) + "-" + hex(r[1]) + (isIommu() ? " (IOVA granules)" : ""));
                }
                ranges.add(new long[] {start, end});
            }
        }
        // Every live mapping the device may read holds what it should, read through the bus master.
        for (Live l : live) {
            if (l.deviceReads()) {
                checkDeviceSees(l, "step " + step);
            }
        }
        // The counters balance with what the driver holds.
        long singles = live.stream().filter(l -> l.sg == null && l.coherent == null).count();
        long sgs = live.stream().filter(l -> l.sg != null).count();
        long coherent = live.stream().filter(l -> l.coherent != null).count();
        require(total(Stat.MAPS) - total(Stat.UNMAPS) == singles, "MAPS - UNMAPS = " + (total(Stat.MAPS) - total(Stat.UNMAPS))
                + " equals the " + singles + " live single mapping(s)");
        require(total(Stat.SG_MAPS) - total(Stat.SG_UNMAPS) == sgs, "SG_MAPS - SG_UNMAPS = "
                + (total(Stat.SG_MAPS) - total(Stat.SG_UNMAPS)) + " equals the " + sgs + " live sg mapping(s)");
        require(total(Stat.COHERENT_ALLOCS) - total(Stat.COHERENT_FREES) == coherent, "COHERENT_ALLOCS - COHERENT_FREES equals the "
                + coherent + " live coherent buffer(s)");
        require(rig.platform.liveMappings(DEVICE) == live.size(), "the platform's live entries (" + rig.platform.liveMappings(DEVICE)
                + ") are the driver's " + live.size());
        require(total(Stat.LEAKS_RECLAIMED) == 0, "nothing was reclaimed as a leak");
        // A correct driver raises no checker finding.
        List<Finding> findings = rig.platform.findings();
        for (Finding f : findings) {
            require(f.sequence() <= findingsBefore, "no checker finding for a correct driver; got: " + f.message());
        }
        require(backend == null || rig.platform.device(DEVICE).backend().equals(backend), "the device is where its driver is");
    }

    /** Under strict invalidation an unmapped IOVA faults at once, unless a live mapping took its granule again. */
    private void unmappedFaults(Live gone) {
        BusMaster bus = api.busMaster();
        for (int s = 0; s < gone.dma.length; s++) {
            long addr = gone.dma[s];
            if (liveGranule(addr)) {
                continue;
            }
            try {
                bus.readByte(addr);
                require(false, "a device read of the unmapped IOVA " + hex(addr) + " of " + gone + " faults under strict invalidation");
            } catch (DmaFaultException expected) {
                // The IOMMU refused it: nothing of the old mapping is reachable.
            }
        }
    }

    private boolean liveGranule(long addr) {
        long g = addr & -GRANULE;
        for (Live l : live) {
            for (int s = 0; s < l.dma.length; s++) {
                long start = l.dma[s] & -GRANULE;
                long end = (l.dma[s] + l.dmaLen[s] + GRANULE - 1) & -GRANULE;
                if (g >= start && g < end) {
                    return true;
                }
            }
        }
        return false;
    }

    private void checkDeviceSees(Live l, String when) {
        byte[] got = new byte[l.length()];
        BusMaster bus = api.busMaster();
        for (int s = 0, at = 0; s < l.dma.length; at += l.dmaLen[s], s++) {
            bus.read(l.dma[s], got, at, l.dmaLen[s]);
        }
        require(Arrays.equals(got, l.device), "after " + when + ", the device reads through its bus master what it should from " + l
                + ": first difference at byte " + firstDifference(got, l.device));
    }

    /** After a sync for the CPU or an unmap: the CPU has what the device wrote (or, TO_DEVICE, its own bytes). */
    private void checkCpuSees(Live l, String when) {
        byte[] got = new byte[l.length()];
        for (int i = 0, at = 0; i < l.cpu.length; at += l.cpuLen[i], i++) {
            rig.memory.read(l.cpu[i], got, at, l.cpuLen[i]);
        }
        byte[] want = l.dir == DmaDirection.TO_DEVICE ? l.original : l.device;
        require(Arrays.equals(got, want), "after " + when + ", the CPU sees what it should in " + l + ": first difference at byte "
                + firstDifference(got, want));
    }

    // ---- helpers -------------------------------------------------------------------------------

    private boolean isIommu() {
        return api != null && PropertyRig.IOMMUS.contains(api.backendName());
    }

    /** Live mapping number {@code index} (modulo) among those {@code which} accepts, or null when there is none. */
    private Live pick(int index, java.util.function.Predicate<Live> which) {
        List<Live> candidates = which == null ? live : live.stream().filter(which).toList();
        return candidates.isEmpty() ? null : candidates.get(Math.floorMod(index, candidates.size()));
    }

    private static int segmentOf(Live l, int offset) {
        int start = 0;
        for (int s = 0; s < l.dma.length; s++) {
            if (offset < start + l.dmaLen[s]) {
                return s;
            }
            start += l.dmaLen[s];
        }
        throw new IllegalArgumentException("offset " + offset + " beyond " + l);
    }

    private static int segmentStart(Live l, int seg) {
        int start = 0;
        for (int s = 0; s < seg; s++) {
            start += l.dmaLen[s];
        }
        return start;
    }

    private long total(Stat s) {
        long sum = 0;
        for (DeviceStats st : rig.platform.allStats()) {
            if (st.device().equals(DEVICE)) {
                sum += st.get(s);
            }
        }
        return sum;
    }

    private long alloc(int pages, Zone zone) {
        long p = rig.allocator.allocPages(pages, zone);
        require(p != PageAllocator.NO_MEMORY, "the test's buffer of " + pages + " page(s) in " + zone + " is allocated");
        return p;
    }

    private byte[] cpuBytes(long phys, int len) {
        byte[] b = new byte[len];
        rig.memory.read(phys, b, 0, len);
        return b;
    }

    private long lastFinding() {
        List<Finding> f = rig.platform.findings();
        return f.isEmpty() ? 0 : f.get(f.size() - 1).sequence();
    }

    private static byte[] random(long seed, int len) {
        byte[] b = new byte[len];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static int firstDifference(byte[] a, byte[] b) {
        return Arrays.mismatch(a, b);
    }

    private static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }

    private static String hex(long[] v) {
        StringBuilder b = new StringBuilder("[");
        for (long x : v) {
            b.append(b.length() > 1 ? ", " : "").append(hex(x));
        }
        return b.append(']').toString();
    }

    private void require(boolean ok, String invariant) {
        if (!ok) {
            throw new AssertionError("step " + step + (current == null ? " (release at the end)" : " " + current) + " on "
                    + (api == null ? "no backend" : api.backendName()) + " (" + flavor + "): " + invariant);
        }
    }
}
