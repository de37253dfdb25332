package org.iommulab.smmu.v3.internal.driver;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

import org.iommulab.api.backend.DmaDevice;
import org.iommulab.api.platform.PhysicalMemory;
import org.iommulab.modelkit.queue.QueueGeometry;
import org.iommulab.smmu.v3.internal.format.EventFormat;
import org.iommulab.smmu.v3.internal.format.EventRecord;
import org.iommulab.smmu.v3.internal.format.RegFields.Queue;
import org.iommulab.smmu.v3.internal.format.Regs;
import org.iommulab.smmu.v3.internal.format.SmmuQueues;
import org.iommulab.smmu.v3.internal.model.SmmuV3Mmio;

/**
 * The driver's side of the event queue, Linux {@code arm_smmu_evtq_thread}: on the EVTQ
 * interrupt, read PROD, decode every record between CONS and PROD
 * ({@code arm_smmu_decode_event}), log it on the master that owns its StreamID as Linux's
 * {@code arm_smmu_dump_event} does ("event 0x10 received: ..."), move CONS on, and if PROD's
 * overflow flag differs from ours, log "EVTQ overflow detected -- events lost" and acknowledge
 * it by writing CONS.OVACKFLG equal to it. The fault reports themselves come from the model at
 * the moment of the fault (so that every aborted access, recorded or not, is reported once);
 * the decoded records are kept for inspection.
 */
final class EventQueueReader {
    private static final int HISTORY = 1024;

    private final SmmuV3Mmio mmio;
    private final PhysicalMemory memory;
    private final DmaBuffer buffer;
    private final QueueGeometry ring;
    private final DriverLog log;
    private final IntFunction<DmaDevice> deviceBySid;
    private final long[] words = new long[EventFormat.EVT_DWORDS];
    private final ArrayDeque<EventRecord> recent = new ArrayDeque<>();
    private long overflows;

    EventQueueReader(SmmuV3Mmio mmio, PhysicalMemory memory, DmaBuffer buffer, int log2, DriverLog log,
            IntFunction<DmaDevice> deviceBySid) {
        this.mmio = mmio;
        this.memory = memory;
        this.buffer = buffer;
        this.ring = SmmuQueues.events(log2);
        this.log = log;
        this.deviceBySid = deviceBySid;
    }

    long baseRegister() {
        return Queue.ADDR.bits(buffer.base()) | Queue.LOG2SIZE.of(ring.log2Entries()) | Queue.RA_WA.mask();
    }

    DmaBuffer buffer() {
        return buffer;
    }

    /**
     * Drains the queue; returns the records read. Runs from the EVTQ interrupt, which the SMMU
     * delivers on the thread and under the lock of the operation that raised it, so drains
     * never overlap (and taking a lock of our own here could invert that order).
     */
    int drain() {
        int prod = mmio.read32(Regs.EVENTQ_PROD.offset());
        int cons = mmio.read32(Regs.EVENTQ_CONS.offset());
        int n = 0;
        while (!ring.empty(prod, cons)) {
            long at = ring.slotAddress(buffer.base(), cons);
            for (int i = 0; i < EventFormat.EVT_DWORDS; i++) {
                words[i] = memory.readLong(at + 8L * i);
            }
            handle(EventRecord.decode(words));
            cons = ring.advance(cons, 1);
            n++;
            // Linux re-reads PROD when the queue looks empty, in case the SMMU added more.
            if (ring.empty(prod, cons)) {
                prod = mmio.read32(Regs.EVENTQ_PROD.offset());
            }
        }
        if (SmmuQueues.OVERFLOW.pending(prod, cons)) {
            overflows++;
            log.add("EVTQ overflow detected -- events lost");
        }
        // Sync our overflow flag, as we've acknowledged the overflow (Q_OVF(prod) | Q_WRP | Q_IDX).
        mmio.write32(Regs.EVENTQ_CONS.offset(), SmmuQueues.OVERFLOW.acknowledge(prod, ring.position(cons)));
        return n;
    }

    private void handle(EventRecord e) {
        synchronized (recent) {
            if (recent.size() == HISTORY) {
                recent.removeFirst();
            }
            recent.addLast(e);
        }
        String line = String.format("event 0x%02x received: %s", e.id(), e);
        DmaDevice dev = deviceBySid.apply(e.streamId());
        if (dev != null) {
            dev.warn(line);
        } else {
            log.add(line + " (no master has this StreamID)");
        }
    }

    /** Records decoded, oldest first. */
    List<EventRecord> recent() {
        synchronized (recent) {
            return new ArrayList<>(recent);
        }
    }

    long overflows() {
        return overflows;
    }
}
