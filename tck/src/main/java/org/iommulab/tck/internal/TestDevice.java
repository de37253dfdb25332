package org.iommulab.tck.internal;

import java.util.List;

import org.iommulab.api.admin.PlatformAdmin;
import org.iommulab.api.admin.Stat;
import org.iommulab.api.dma.DmaApi;
import org.iommulab.api.platform.BusMaster;
import org.iommulab.api.platform.DmaFault;
import org.iommulab.api.platform.DmaFaultException;

/**
 * A device the TCK added to the platform and bound to the backend under test: its driver's DMA
 * API (the TCK plays the driver) and its own bus master (the TCK plays the device).
 */
public final class TestDevice {
    public final String name;
    public final int sid;
    public final DmaApi api;
    public final BusMaster bus;
    private final PlatformAdmin admin;

    TestDevice(String name, int sid, DmaApi api, PlatformAdmin admin) {
        this.name = name;
        this.sid = sid;
        this.api = api;
        this.admin = admin;
        this.bus = admin.busMaster(name);
    }

    /** Faults the platform counted for the device on its backend. */
    public long faults() {
        return admin.stats(name).get(Stat.FAULTS);
    }

    /** A counter of the device on its backend. */
    public long stat(Stat s) {
        return admin.stats(name).get(s);
    }

    /** The platform's most recent fault for this device, or null. */
    public DmaFault lastFault() {
        List<DmaFault> all = admin.faults();
        for (int i = all.size() - 1; i >= 0; i--) {
            if (name.equals(all.get(i).device())) {
                return all.get(i);
            }
        }
        return null;
    }

    /**
     * Runs {@code access}, which must be refused with a {@link DmaFaultException}, and checks the
     * fault was reported exactly once, for this device, at an address in
     * {@code [addr, addr+len)}.
     *
     * @return the fault the access was refused with
     */
    public DmaFault expectFault(String what, long addr, long len, Runnable access) {
        long before = faults();
        DmaFault f;
        try {
            access.run();
            throw Expect.fail(what + ": the access at " + Expect.hex(addr) + " reached memory instead of faulting");
        } catch (DmaFaultException e) {
            f = e.fault();
        }
        long reported = faults() - before;
        Expect.that(reported == 1, () -> what + ": the fault was reported " + reported + " times, not once (" + f + ")");
        Expect.that(f != null, what + ": the DmaFaultException carries no fault");
        Expect.that(name.equals(f.device()), () -> what + ": the fault names device '" + f.device() + "', not " + name
                + " (" + f + ")");
        Expect.that(f.address() >= addr && f.address() < addr + len, () -> what + ": the fault's address "
                + Expect.hex(f.address()) + " is not the access's " + Expect.hex(addr) + " (" + f + ")");
        return f;
    }

    @Override
    public String toString() {
        return name + " (stream " + Expect.hex(sid) + ")";
    }
}
