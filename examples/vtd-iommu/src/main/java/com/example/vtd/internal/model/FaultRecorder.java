package com.example.vtd.internal.model;

import com.example.vtd.internal.format.FaultRecord;
import com.example.vtd.internal.format.VtdRegs;

/**
 * Primary fault logging (VT-d spec §7.2.1): the unit's fault recording registers, the fault
 * status register and the fault event, after QEMU's {@code vtd_report_dmar_fault},
 * {@code vtd_try_collapse_fault}, {@code vtd_record_frcd} and {@code vtd_generate_fault_event}
 * ({@code hw/i386/intel_iommu.c}):
 * <ul>
 * <li>while FSTS.PFO is set, new faults are not recorded;</li>
 * <li>a fault from a requester that already has a record with F set is collapsed into it (not
 * recorded again);</li>
 * <li>the next register in turn must be free (F = 0), else PFO is set and the fault is lost;</li>
 * <li>the record is written with F = 1; when no fault was pending (PPF was 0) FSTS.FRI names it
 * and a fault event is raised: delivered at once when FECTL.IM = 0, else FECTL.IP is set
 * until software clears IM;</li>
 * <li>software clears a record by writing 1 to its F bit; PPF is the OR of the F bits.</li>
 * </ul>
 * Also holds FSTS's invalidation-queue error bits (IQE, ICE, ITE: RW1C), whose setting raises the
 * same event. Not thread-safe: the unit's lock.
 */
final class FaultRecorder {
    private static final long F = FaultRecord.F.mask();

    private final long[] lo;
    private final long[] hi;
    private int next;
    private int fri;
    private boolean pfo;
    private boolean iqe;
    private boolean im = true;
    private boolean ip;
    private boolean eventDue;
    private String lastLoss = "";

    FaultRecorder(int records) {
        lo = new long[records];
        hi = new long[records];
    }

    /**
     * Records a fault from {@code sourceId} at {@code addr}.
     *
     * @return the index of the register written, or -1 when the fault was not recorded
     *         ({@link #lastLoss()} says why)
     */
    int record(int sourceId, long addr, int reason, boolean read) {
        if (pfo) {
            lastLoss = "FSTS.PFO is set (primary fault overflow not yet cleared)";
            return -1;
        }
        for (int i = 0; i < hi.length; i++) {
            if ((hi[i] & F) != 0 && FaultRecord.SID.getInt(hi[i]) == sourceId) {
                lastLoss = "collapsed into FRCD" + i + ", still pending for the same requester";
                return -1;
            }
        }
        if ((hi[next] & F) != 0) {
            pfo = true;
            event();
            lastLoss = "FRCD" + next + " still holds an unserviced fault: FSTS.PFO set";
            return -1;
        }
        boolean pending = ppf();
        int idx = next;
        lo[idx] = FaultRecord.lo(addr);
        hi[idx] = FaultRecord.hi(sourceId, reason, read);
        next = (next + 1) % hi.length;
        if (!pending) {
            fri = idx;
            event();
        }
        return idx;
    }

    /** Why the last fault was not recorded. */
    String lastLoss() {
        return lastLoss;
    }

    /** PPF: some record has F set. */
    boolean ppf() {
        for (long h : hi) {
            if ((h & F) != 0) {
                return true;
            }
        }
        return false;
    }

    /** An invalidation queue error: FSTS.IQE, and a fault event. */
    void invalidationQueueError() {
        iqe = true;
        event();
    }

    boolean iqe() {
        return iqe;
    }

    // ---- registers ---------------------------------------------------------------------------

    long fsts() {
        return (pfo ? VtdRegs.FSTS_PFO.mask() : 0) | (ppf() ? VtdRegs.FSTS_PPF.mask() : 0)
                | (iqe ? VtdRegs.FSTS_IQE.mask() : 0) | VtdRegs.FSTS_FRI.of(fri);
    }

    /** A write to FSTS: PFO and IQE (and ICE, ITE, never set here) clear where written as 1. */
    void writeFsts(long value) {
        if (VtdRegs.FSTS_PFO.isSet(value)) {
            pfo = false;
        }
        if (VtdRegs.FSTS_IQE.isSet(value)) {
            iqe = false;
        }
    }

    long fectl() {
        return (im ? VtdRegs.FECTL_IM.mask() : 0) | (ip ? VtdRegs.FECTL_IP.mask() : 0);
    }

    /** A write to FECTL: IM as written; unmasking with IP set delivers the pending event. */
    void writeFectl(long value) {
        im = VtdRegs.FECTL_IM.isSet(value);
        if (!im && ip) {
            ip = false;
            eventDue = true;
        }
    }

    long readLo(int n) {
        return lo[n];
    }

    long readHi(int n) {
        return hi[n];
    }

    /** A write to the high half of FRCD n: F is RW1C, the rest read-only. */
    void writeHi(int n, long value) {
        if ((value & F) != 0) {
            hi[n] &= ~F;
        }
    }

    private void event() {
        if (im) {
            ip = true;
        } else {
            eventDue = true;
        }
    }

    /** True once per event to deliver to the interrupt handler; clears it. */
    boolean takeEvent() {
        boolean e = eventDue;
        eventDue = false;
        return e;
    }
}
