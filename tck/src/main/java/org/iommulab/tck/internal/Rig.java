package org.iommulab.tck.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

import org.iommulab.api.admin.PlatformAdmin;
import org.iommulab.api.dma.DmaApi;
import org.iommulab.api.dma.DmaMasks;
import org.iommulab.api.iommu.IommuDriver;
import org.iommulab.api.platform.DeviceDescriptor;
import org.iommulab.api.platform.PageAllocator;
import org.iommulab.api.platform.PhysicalMemory;
import org.iommulab.api.platform.Zone;
import org.iommulab.tck.BackendUnderTest;
import org.iommulab.tck.NotApplicable;

/**
 * What one check run sets up, and takes down again when it closes: pages from the platform's
 * allocator, devices added to the platform and bound to the backend under test, devices and
 * domains of its IOMMU driver. Close in a try-with-resources: everything is undone in reverse
 * order, and a step that fails fails the check (after the check's own failure, if any).
 */
public final class Rig implements AutoCloseable {
    /** How long a device's DMA API may take to appear after a bind. */
    static final long API_WAIT_MILLIS = 10_000;

    public final BackendUnderTest backend;
    public final PlatformAdmin admin;
    public final PhysicalMemory memory;
    public final PageAllocator allocator;
    private final Deque<Step> undo = new ArrayDeque<>();
    private final Set<Long> pages = new LinkedHashSet<>();
    private Iommu iommu;

    public Rig(BackendUnderTest backend) {
        this.backend = backend;
        this.admin = backend.admin();
        this.memory = admin.memory();
        this.allocator = admin.allocator();
        undo.push(new Step("free the check's pages", () -> {
            for (Long p : new ArrayList<>(pages)) {
                allocator.free(p);
            }
            pages.clear();
        }));
    }

    /** {@code count} contiguous pages from {@code zone}, freed when the rig closes. */
    public long pages(long count, Zone zone) {
        long a = allocator.allocPages(count, zone);
        Expect.that(a != PageAllocator.NO_MEMORY, () -> "the platform has no " + count + " free pages in " + zone);
        pages.add(a);
        return a;
    }

    /** Frees pages from {@link #pages} before the rig closes. */
    public void free(long addr) {
        if (pages.remove(addr)) {
            allocator.free(addr);
        }
    }

    /** Runs {@code action} when the rig closes, before what was set up earlier is undone. */
    public void onClose(String what, Runnable action) {
        undo.push(new Step(what, action));
    }

    /**
     * A device added to the platform and bound to the backend under test: a fresh stream ID, a
     * 64-bit mask, trusted, coherent, Linux's default segment limits, then {@code tweak}.
     * Removed (its driver released, its leaks reclaimed) when the rig closes.
     */
    public TestDevice device(String role, Consumer<DeviceDescriptor.Builder> tweak) throws InterruptedException {
        int sid = backend.freshStreamId();
        String name = "tck-" + role + "-" + Integer.toHexString(sid);
        DeviceDescriptor.Builder b = DeviceDescriptor.builder(name).streamIds(sid).dmaMask(DmaMasks.bits(64));
        if (tweak != null) {
            tweak.accept(b);
        }
        admin.addDevice(b.build());
        onClose("remove device " + name, () -> admin.removeDevice(name));
        try {
            admin.bind(name, backend.name());
        } catch (IllegalStateException e) {
            throw Expect.fail("binding a new device " + name + " to " + backend.name() + " failed: " + e.getMessage());
        }
        DmaApi api = backend.awaitDmaApi(name, API_WAIT_MILLIS);
        Expect.that(api != null, () -> "no DMA API for " + name + " on " + backend.name() + " within " + API_WAIT_MILLIS
                + " ms of binding it");
        return new TestDevice(name, sid, api, admin);
    }

    /** A trusted device (iommu-dma invalidates as configured, strict by default). */
    public TestDevice device(String role) throws InterruptedException {
        return device(role, null);
    }

    /**
     * An untrusted PCI device: iommu-dma invalidates strictly for it whatever its configuration
     * ({@code dev_is_untrusted}), so an unmap takes effect at once.
     */
    public TestDevice strictDevice(String role) throws InterruptedException {
        return device(role, b -> b.trusted(false).pci(true));
    }

    /** Skips the check unless the backend confines devices. */
    public void requireIsolation() {
        if (!backend.isolating()) {
            throw new NotApplicable("not isolating (" + "iommulab.backend.isolation is not true): a device may reach"
                    + " any RAM");
        }
    }

    /**
     * The backend's IOMMU driver, driven directly by the check; skips the check when the
     * backend is not made from one.
     */
    public Iommu iommu() {
        if (iommu == null) {
            IommuDriver d = backend.iommuDriver();
            if (d == null) {
                throw new NotApplicable("not made from an IOMMU driver (no IommuDriver service named " + backend.name()
                        + "): no domains or page tables to check");
            }
            iommu = new Iommu(this, d);
        }
        return iommu;
    }

    @Override
    public void close() {
        List<String> errors = new ArrayList<>();
        while (!undo.isEmpty()) {
            Step s = undo.pop();
            try {
                s.action.run();
            } catch (RuntimeException | AssertionError e) {
                errors.add(s.what + ": " + e);
            }
        }
        if (!errors.isEmpty()) {
            throw new AssertionError("cleaning up after the check failed: " + String.join("; ", errors));
        }
    }

    private static final class Step {
        final String what;
        final Runnable action;

        Step(String what, Runnable action) {
            this.what = what;
            this.action = action;
        }
    }
}
