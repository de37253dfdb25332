package com.example.vtd.internal.model;

import org.iommulab.api.platform.PhysicalMemory;
import org.iommulab.modelkit.queue.QueueGeometry;

import com.example.vtd.internal.Seed;
import com.example.vtd.internal.format.InvDesc;
import com.example.vtd.internal.format.VtdRegs;

/**
 * The hardware side of queued invalidation (VT-d spec §6.5.2; QEMU {@code vtd_handle_iqt_write},
 * {@code vtd_fetch_inv_desc}, {@code vtd_process_inv_desc}): a ring of 128-bit descriptors at
 * IQA, 2^(8+QS) of them, whose head (IQH) and tail (IQT) registers hold byte offsets, one slot
 * always free: the model kit's {@link QueueGeometry#byteOffsets}. A tail write makes the unit
 * fetch and execute every descriptor from head to tail, in order, before the write returns
 * (this model's invalidations complete at once, so a fence has nothing to order).
 *
 * <p>An invalid descriptor (unknown or unsupported type, reserved bits set, a page-selective
 * AM above CAP.MAMV, a status write or fetch that reaches no memory, 256-bit descriptors
 * without scalable mode, a tail beyond the queue) stops processing with IQH pointing at it and
 * sets FSTS.IQE; processing resumes when software clears IQE. Not thread-safe: the unit's lock.
 */
final class InvalidationQueue {
    /** What the descriptors act on: the unit's caches. */
    interface Caches {
        void invalidateContexts(int granularity, int did, int sourceId, int fm);

        void invalidateIotlb(int granularity, int did, long addr, int am, boolean ih);
    }

    private final int mamv;
    private final Seed seed;
    private long iqa;
    private int head;
    private int tail;
    private boolean enabled;
    private boolean iwc;
    private String lastError = "";
    // Seeded (WAIT_BEFORE_INVAL): invalidations held back until the next tail write.
    private long[] deferred = new long[16];
    private int deferredCount;

    InvalidationQueue(int mamv, Seed seed) {
        this.mamv = mamv;
        this.seed = seed;
    }

    QueueGeometry geometry() {
        return QueueGeometry.byteOffsets(8 + VtdRegs.IQA_QS.getInt(iqa), InvDesc.SIZE);
    }

    long base() {
        return VtdRegs.IQA_IQA.bits(iqa);
    }

    long iqa() {
        return iqa;
    }

    void iqa(long value) {
        iqa = VtdRegs.IQA.write(iqa, value);
    }

    long iqh() {
        return VtdRegs.IQH_QH.bits(head);
    }

    long iqt() {
        return VtdRegs.IQT_QT.bits(tail);
    }

    void iqt(long value) {
        tail = (int) VtdRegs.IQT_QT.bits(value);
    }

    boolean enabled() {
        return enabled;
    }

    /** GCMD.QIE set: the head starts at 0. */
    void enable() {
        if (!enabled) {
            enabled = true;
            head = 0;
        }
    }

    /** GCMD.QIE cleared: refused while descriptors are outstanding (QEMU does the same). */
    boolean disable() {
        if (head != tail) {
            return false;
        }
        enabled = false;
        return true;
    }

    boolean iwc() {
        return iwc;
    }

    void clearIwc() {
        iwc = false;
    }

    String lastError() {
        return lastError;
    }

    /**
     * Executes the descriptors from head to tail.
     *
     * @return true when the queue drained; false when a descriptor was invalid (head stays on it)
     */
    boolean process(PhysicalMemory mem, Caches caches) {
        QueueGeometry g = geometry();
        if (VtdRegs.IQA_DW.isSet(iqa)) {
            return error("IQA.DW = 1: 256-bit descriptors need scalable mode, which this unit does not report");
        }
        if (g.index(tail) != (tail >>> 4) || (tail & 0xf) != 0) {
            return error(String.format("IQT 0x%x is beyond the %d-entry queue", tail, g.entries()));
        }
        for (int i = 0; i < deferredCount; i += 2) {
            execute(deferred[i], deferred[i + 1], caches);
        }
        deferredCount = 0;
        while (head != tail) {
            long addr = g.slotAddress(base(), head);
            if (!mem.isRam(addr, InvDesc.SIZE)) {
                return error(String.format("descriptor fetch at 0x%x is not RAM", addr));
            }
            long qw0 = mem.readLong(addr);
            long qw1 = mem.readLong(addr + 8);
            String bad = check(qw0, qw1);
            if (bad != null) {
                return error(String.format("descriptor 0x%016x_%016x at IQH 0x%x: %s", qw1, qw0, head, bad));
            }
            if (InvDesc.TYPE.getInt(qw0) == InvDesc.TYPE_WAIT) {
                if (InvDesc.WAIT_SW.isSet(qw0)) {
                    long status = InvDesc.WAIT_ADDR.bits(qw1);
                    if (!mem.isRam(status, 4)) {
                        return error(String.format("wait descriptor status write to 0x%x is not RAM", status));
                    }
                    mem.writeInt(status, (int) InvDesc.WAIT_DATA.get(qw0));
                }
                if (InvDesc.WAIT_IF.isSet(qw0)) {
                    iwc = true; // the invalidation-event interrupt itself is not modelled
                }
            } else if (seed == Seed.WAIT_BEFORE_INVAL) {
                defer(qw0, qw1);
            } else {
                execute(qw0, qw1, caches);
            }
            head = g.advance(head, 1);
        }
        return true;
    }

    /** Why a descriptor is invalid, or null (QEMU's reserved-bit and type checks). */
    private String check(long qw0, long qw1) {
        int g = InvDesc.G.getInt(qw0);
        switch (InvDesc.TYPE.getInt(qw0)) {
            case InvDesc.TYPE_CC:
                if ((qw0 & InvDesc.CC_RSVD_LO) != 0 || qw1 != 0) {
                    return "context-cache invalidate with reserved bits set";
                }
                return g == 0 ? "context-cache invalidate with granularity 0" : null;
            case InvDesc.TYPE_IOTLB:
                if ((qw0 & InvDesc.IOTLB_RSVD_LO) != 0 || (qw1 & InvDesc.IOTLB_RSVD_HI) != 0) {
                    return "IOTLB invalidate with reserved bits set";
                }
                if (g == 0) {
                    return "IOTLB invalidate with granularity 0";
                }
                if (g == InvDesc.G_DEVICE_OR_PAGE && InvDesc.IOTLB_AM.getInt(qw1) > mamv) {
                    return "page-selective IOTLB invalidate with AM " + InvDesc.IOTLB_AM.getInt(qw1)
                            + " above CAP.MAMV " + mamv;
                }
                return null;
            case InvDesc.TYPE_WAIT:
                if ((qw0 & InvDesc.WAIT_RSVD_LO) != 0 || (qw1 & InvDesc.WAIT_RSVD_HI) != 0) {
                    return "invalidation wait with reserved bits set";
                }
                return null;
            default:
                return "descriptor type " + InvDesc.TYPE.getInt(qw0)
                        + " is not supported (device-TLB, interrupt-entry and PASID invalidations are not modelled)";
        }
    }

    private void execute(long qw0, long qw1, Caches caches) {
        int g = InvDesc.G.getInt(qw0);
        if (InvDesc.TYPE.getInt(qw0) == InvDesc.TYPE_CC) {
            caches.invalidateContexts(g, InvDesc.CC_DID.getInt(qw0), InvDesc.CC_SID.getInt(qw0),
                    InvDesc.CC_FM.getInt(qw0));
        } else {
            caches.invalidateIotlb(g, InvDesc.IOTLB_DID.getInt(qw0), InvDesc.IOTLB_ADDR.bits(qw1),
                    InvDesc.IOTLB_AM.getInt(qw1), InvDesc.IOTLB_IH.isSet(qw1));
        }
    }

    private void defer(long qw0, long qw1) {
        if (deferredCount + 2 > deferred.length) {
            deferred = java.util.Arrays.copyOf(deferred, deferred.length * 2);
        }
        deferred[deferredCount++] = qw0;
        deferred[deferredCount++] = qw1;
    }

    private boolean error(String why) {
        lastError = why;
        return false;
    }
}
