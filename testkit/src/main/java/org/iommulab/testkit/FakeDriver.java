package org.iommulab.testkit;

import java.util.ArrayList;
import java.util.List;

import org.iommulab.api.dma.CoherentAllocation;
import org.iommulab.api.dma.DmaApi;
import org.iommulab.api.dma.DmaAttrs;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.dma.SgTable;

/**
 * A driver holding one device's DMA API (as a component with a static reference would),
 * started and stopped by {@link FakeDrivers}: it remembers what it mapped through {@link #map},
 * {@link #mapSg} and {@link #alloc}, and on stop releases all of it, unless it was made to leak.
 * What a test maps through {@link #api()} directly is the test's to release.
 *
 * <p>Thread safety: its mapping methods and its stop are synchronized; safe from any thread.
 */
public final class FakeDriver {
    private final DmaApi api;
    private final String device;
    private final String backend;
    private final boolean leak;
    private final List<long[]> singles = new ArrayList<>();
    private final List<Object[]> sgs = new ArrayList<>();
    private final List<CoherentAllocation> coherent = new ArrayList<>();
    private volatile boolean stopped;

    FakeDriver(DmaApi api, String device, String backend, boolean leak) {
        this.api = api;
        this.device = device;
        this.backend = backend;
        this.leak = leak;
    }

    public DmaApi api() {
        return api;
    }

    public String device() {
        return device;
    }

    /** The backend named in the service properties it was started with. */
    public String backend() {
        return backend;
    }

    public boolean stopped() {
        return stopped;
    }

    /** Maps and remembers a single mapping. */
    public synchronized long map(long phys, long size, DmaDirection dir) {
        long dma = api.mapPhys(phys, size, dir, DmaAttrs.NONE);
        if (!api.mappingError(dma)) {
            singles.add(new long[] {dma, size, dir.ordinal()});
        }
        return dma;
    }

    /** Maps and remembers an sg table. */
    public synchronized int mapSg(SgTable sg, DmaDirection dir) {
        int n = api.mapSg(sg, sg.origNents(), dir, DmaAttrs.NONE);
        if (n > 0) {
            sgs.add(new Object[] {sg, dir});
        }
        return n;
    }

    /** Allocates and remembers a coherent buffer. */
    public synchronized CoherentAllocation alloc(long size) {
        CoherentAllocation c = api.allocCoherent(size);
        if (c != null) {
            coherent.add(c);
        }
        return c;
    }

    synchronized void stop() {
        stopped = true;
        if (leak) {
            return;
        }
        for (long[] s : singles) {
            api.unmapPhys(s[0], s[1], DmaDirection.values()[(int) s[2]], DmaAttrs.NONE);
        }
        for (Object[] s : sgs) {
            SgTable sg = (SgTable) s[0];
            api.unmapSg(sg, sg.origNents(), (DmaDirection) s[1], DmaAttrs.NONE);
        }
        for (CoherentAllocation c : coherent) {
            api.freeCoherent(c);
        }
        singles.clear();
        sgs.clear();
        coherent.clear();
    }

    @Override
    public String toString() {
        return "FakeDriver[" + device + " on " + backend + (stopped ? ", stopped" : "") + "]";
    }
}
