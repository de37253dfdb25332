package org.iommulab.tck.internal;

import java.util.HashSet;
import java.util.Set;

import org.iommulab.api.admin.DeviceStatus;
import org.iommulab.api.admin.PlatformAdmin;
import org.iommulab.api.backend.DmaBackend;
import org.iommulab.api.dma.DmaMasks;
import org.iommulab.api.platform.DeviceDescriptor;

/**
 * Hands out stream IDs for the TCK's devices: never one a platform device has, never one given
 * out before in this run (a stale translation left by a backend for an earlier device must not
 * be mistaken for this one's), and only one the backend accepts. Tried from
 * {@value #FIRST} up, where no built-in device lives, then from 1.
 */
public final class StreamIds {
    static final int FIRST = 0x600;
    static final int LAST = 0x7fff;

    private final Set<Integer> given = new HashSet<>();
    private int next = FIRST;

    /**
     * A fresh stream ID that {@code backend} accepts for a 64-bit device.
     *
     * @throws AssertionError when it accepts none of them
     */
    public synchronized int fresh(PlatformAdmin admin, DmaBackend backend, String backendName) {
        Set<Integer> used = new HashSet<>(given);
        for (DeviceStatus d : admin.devices()) {
            for (int sid : d.descriptor().streamIds()) {
                used.add(sid);
            }
        }
        for (int pass = 0; pass < 2; pass++) {
            int from = pass == 0 ? next : 1;
            int to = pass == 0 ? LAST : FIRST - 1;
            for (int sid = from; sid <= to; sid++) {
                if (used.contains(sid) || !accepts(admin, backend, sid)) {
                    continue;
                }
                given.add(sid);
                if (pass == 0) {
                    next = sid + 1;
                }
                return sid;
            }
        }
        throw new AssertionError(backendName + " accepts no unused stream ID in 1.." + LAST + " for a 64-bit device");
    }

    private static boolean accepts(PlatformAdmin admin, DmaBackend backend, int sid) {
        if (backend == null) {
            return true;
        }
        DeviceDescriptor d = DeviceDescriptor.builder("tck-probe").streamIds(sid).dmaMask(DmaMasks.bits(64)).build();
        try {
            return backend.accepts(new TckDevice(d, admin.memory(), admin.allocator()));
        } catch (RuntimeException e) {
            return false;
        }
    }
}
