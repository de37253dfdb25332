package com.example.vtd.internal.driver;

import org.iommulab.api.backend.BackendException;
import org.iommulab.api.platform.PageAllocator;
import org.iommulab.api.platform.PhysicalMemory;
import org.iommulab.api.platform.Zone;
import org.iommulab.modelkit.queue.QueueGeometry;

import com.example.vtd.internal.format.InvDesc;
import com.example.vtd.internal.format.VtdRegs;
import com.example.vtd.internal.model.VtdUnit;

/**
 * The driver side of queued invalidation for one unit, Linux's {@code struct q_inval} with
 * {@code dmar_enable_qi}, {@code qi_submit_sync}, {@code qi_check_fault},
 * {@code qi_flush_context} and {@code qi_flush_iotlb} ({@code drivers/iommu/intel/dmar.c}): a
 * 4 KiB ring of 256 128-bit descriptors (QS = 0, Linux's {@code QI_LENGTH}) and a status dword
 * per slot in memory the hardware can write ({@code desc_status}).
 *
 * <p>{@link #submit} writes the descriptors and an invalidation wait with status write behind
 * them, moves IQT, and waits until the wait's status reads {@code QI_DONE}; this model's
 * hardware completes the batch before the tail write returns, so one look suffices where Linux
 * spins. A batch the hardware rejects (FSTS.IQE) is handled as {@code qi_check_fault} does (the
 * wait descriptor copied over the bad one, IQE cleared so the queue runs on) and then reported
 * as an {@link IllegalStateException}: an invalidation that did not happen is never silent.
 * Thread-safe: one lock per queue, Linux's {@code q_lock}.
 */
final class QueuedInvalidation {
    /** QS = 0: 2^(8+0) descriptors, one 4 KiB page. */
    static final int QS = 0;

    private final String who;
    private final VtdUnit hw;
    private final PhysicalMemory mem;
    private final PageAllocator alloc;
    private final QueueGeometry geometry = QueueGeometry.byteOffsets(8 + QS, InvDesc.SIZE);
    private long desc = -1;
    private long status = -1;
    private int freeHead;

    QueuedInvalidation(String who, VtdUnit hw, PhysicalMemory mem, PageAllocator alloc) {
        this.who = who;
        this.hw = hw;
        this.mem = mem;
        this.alloc = alloc;
    }

    /**
     * {@code dmar_enable_qi}/{@code __dmar_enable_qi}: allocates the ring and the status array,
     * writes IQT = 0 and IQA, then sets GCMD.QIE.
     *
     * @return the global command shadow with QIE set
     */
    synchronized int enable(int gcmd) throws BackendException {
        desc = alloc.allocPages(1, Zone.NORMAL);
        status = alloc.kmalloc(4L * geometry.entries(), Zone.NORMAL);
        if (desc == PageAllocator.NO_MEMORY || status == PageAllocator.NO_MEMORY) {
            release();
            throw new BackendException(who + ": no memory for the invalidation queue");
        }
        mem.fill(desc, geometry.bytes(), (byte) 0);
        mem.fill(status, 4L * geometry.entries(), (byte) 0);
        freeHead = 0;
        hw.writeReg(VtdRegs.IQT.offset(), 0);
        hw.writeReg(VtdRegs.IQA.offset(), VtdRegs.IQA_IQA.bits(desc) | VtdRegs.IQA_QS.of(QS));
        int cmd = gcmd | (int) VtdRegs.GCMD_QIE.mask();
        hw.writeReg(VtdRegs.GCMD.offset(), cmd & 0xffff_ffffL);
        if (!VtdRegs.GSTS_QIES.isSet(hw.readReg(VtdRegs.GSTS.offset()))) {
            release();
            throw new BackendException(who + ": GSTS.QIES did not follow GCMD.QIE");
        }
        return cmd;
    }

    /** {@code qi_flush_context(iommu, did, sid, fm, type)}: one context-cache invalidation, waited for. */
    void flushContext(int granularity, int did, int sourceId, int fm) {
        submit(InvDesc.contextCache(granularity, did, sourceId, fm), 0);
    }

    /** {@code qi_flush_iotlb} with global or domain-selective granularity. */
    void flushIotlb(int granularity, int did) {
        submit(InvDesc.iotlb0(granularity, did), 0);
    }

    /** {@code qi_flush_iotlb} page-selective: 2^am pages at {@code addr}. */
    void flushIotlbPages(int did, long addr, int am, boolean ih) {
        submit(InvDesc.iotlb0(InvDesc.G_DEVICE_OR_PAGE, did), InvDesc.iotlb1(addr, ih, am));
    }

    /** {@code qi_submit_sync} of one descriptor. */
    synchronized void submit(long qw0, long qw1) {
        if (desc < 0) {
            throw new IllegalStateException(who + ": the invalidation queue is not enabled");
        }
        int head = (int) hw.readReg(VtdRegs.IQH.offset());
        if (geometry.space(freeHead, head) < 2) {
            throw new IllegalStateException(who + ": invalidation queue full (IQH 0x" + Integer.toHexString(head)
                    + ", free head 0x" + Integer.toHexString(freeHead) + ")");
        }
        write(freeHead, qw0, qw1);
        freeHead = geometry.advance(freeHead, 1);
        int waitIndex = geometry.index(freeHead);
        long st = status + 4L * waitIndex;
        mem.writeInt(st, InvDesc.QI_IN_USE);
        long wait0 = InvDesc.wait0(InvDesc.QI_DONE);
        long wait1 = InvDesc.wait1(st);
        int waitAt = freeHead;
        write(waitAt, wait0, wait1);
        freeHead = geometry.advance(freeHead, 1);
        hw.writeReg(VtdRegs.IQT.offset(), freeHead);
        if (mem.readInt(st) != InvDesc.QI_DONE) {
            checkFault(wait0, wait1, st);
        }
        mem.writeInt(st, InvDesc.QI_FREE);
    }

    /** {@code qi_check_fault}: an IQE is cleared after the bad descriptor is replaced by the wait. */
    private void checkFault(long wait0, long wait1, long st) {
        long fsts = hw.readReg(VtdRegs.FSTS.offset());
        if (VtdRegs.FSTS_IQE.isSet(fsts)) {
            int head = (int) hw.readReg(VtdRegs.IQH.offset());
            long bad = geometry.slotAddress(desc, head);
            long bad0 = mem.readLong(bad);
            long bad1 = mem.readLong(bad + 8);
            write(head, wait0, wait1);
            hw.writeReg(VtdRegs.FSTS.offset(), VtdRegs.FSTS_IQE.mask());
            mem.writeInt(st, InvDesc.QI_FREE);
            throw new IllegalStateException(String.format("%s: VT-d detected invalid descriptor: qw0 = %x, qw1 = %x"
                    + " (%s); Invalidation Queue Error (IQE) cleared", who, bad0, bad1, hw.lastQueueError()));
        }
        throw new IllegalStateException(who + ": DMAR hardware is malfunctioning: the invalidation wait at IQT 0x"
                + Integer.toHexString(freeHead) + " did not complete");
    }

    private void write(int position, long qw0, long qw1) {
        long at = geometry.slotAddress(desc, position);
        mem.writeLong(at, qw0);
        mem.writeLong(at + 8, qw1);
    }

    /** Clears GCMD.QIE (the queue is empty) and frees the ring. */
    synchronized int disable(int gcmd) {
        int cmd = gcmd & ~(int) VtdRegs.GCMD_QIE.mask();
        hw.writeReg(VtdRegs.GCMD.offset(), cmd & 0xffff_ffffL);
        release();
        return cmd;
    }

    private void release() {
        if (desc >= 0 && desc != PageAllocator.NO_MEMORY) {
            alloc.free(desc);
        }
        if (status >= 0 && status != PageAllocator.NO_MEMORY) {
            alloc.free(status);
        }
        desc = -1;
        status = -1;
    }
}
