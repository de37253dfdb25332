package org.iommulab.smmu.v3.internal.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.iommulab.api.platform.AccessType;
import org.iommulab.api.platform.DmaFault;
import org.iommulab.smmu.v3.internal.format.EventFormat;
import org.iommulab.smmu.v3.internal.format.EventRecord;
import org.iommulab.smmu.v3.internal.format.RegFields.Cr0;
import org.iommulab.smmu.v3.internal.format.RegFields.Gerror;
import org.iommulab.smmu.v3.internal.format.RegFields.Queue;
import org.iommulab.smmu.v3.internal.format.Regs;
import org.junit.jupiter.api.Test;

/**
 * The event queue as a producer (IHI0070 §7.4): wrap, a full queue discarding records and
 * toggling EVENTQ_PROD.OVFLG once per overflow condition (not QEMU's EVENTQ_ABT_ERR),
 * acknowledgement through CONS.OVACKFLG, nothing recorded while EVENTQEN = 0.
 */
class EventQueueTest {
    private static final int OVFLG = (int) Queue.PROD_OVFLG.mask();

    /** A rig whose event queue holds 4 records; every SID >= 16 makes a C_BAD_STREAMID. */
    private static SmmuHarness rig() {
        SmmuHarness h = SmmuHarness.stage1();
        h.linearStrtab(4);
        h.queues(6, 2);
        h.enable(true);
        return h;
    }

    private static void badSid(SmmuHarness h, int sid) {
        h.fault(sid, 0x4000_0000L, AccessType.READ);
    }

    private static int prod(SmmuHarness h) {
        return h.mmio.read32(Regs.EVENTQ_PROD.offset());
    }

    private static int cons(SmmuHarness h) {
        return h.mmio.read32(Regs.EVENTQ_CONS.offset());
    }

    @Test
    void fullQueueDiscardsAndTogglesOvflgOnce() {
        SmmuHarness h = rig();
        for (int sid = 16; sid < 20; sid++) {
            badSid(h, sid);
        }
        assertEquals(0b100, prod(h), "4 records: index 0, wrap 1 (full)");
        assertEquals(0, prod(h) & OVFLG);
        badSid(h, 20);
        DmaFault lost = h.reported.get(h.reported.size() - 1);
        assertEquals(0L, lost.syndrome().get("RECORDED"));
        assertTrue(lost.detail().contains("overflow"), lost.detail());
        assertEquals(OVFLG | 0b100, prod(h), "OVFLG toggled; PROD did not move");
        badSid(h, 21);
        assertEquals(OVFLG | 0b100, prod(h), "an overflow already pending does not toggle again");
        assertEquals(0, h.mmio.read32(Regs.GERROR.offset()) & (int) Gerror.EVENTQ_ABT_ERR.mask(),
                "overflow is not an abort");
        List<EventRecord> ev = h.events(); // consumes, OVACKFLG still 0
        assertEquals(List.of(16, 17, 18, 19), ev.stream().map(EventRecord::streamId).toList());
        badSid(h, 22);
        assertEquals(OVFLG | 0b101, prod(h), "space again: recorded, the overflow still unacknowledged");
        h.events();
        // Acknowledge: CONS.OVACKFLG = PROD.OVFLG.
        h.mmio.write32(Regs.EVENTQ_CONS.offset(), cons(h) | OVFLG);
        for (int sid = 23; sid < 27; sid++) {
            badSid(h, sid);
        }
        badSid(h, 27);
        assertEquals(0, prod(h) & OVFLG, "a new overflow toggles OVFLG back");
        assertEquals(3, h.model.eventsDiscarded(), "records 20, 21 and 27 were lost");
    }

    @Test
    void recordsWrapAroundTheQueue() {
        SmmuHarness h = rig();
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 3; i++) {
                badSid(h, 16 + i + round * 3);
            }
            List<EventRecord> ev = h.events();
            assertEquals(3, ev.size());
            for (int i = 0; i < 3; i++) {
                assertEquals(16 + i + round * 3, ev.get(i).streamId());
                assertEquals(EventFormat.C_BAD_STREAMID, ev.get(i).id());
            }
        }
        assertEquals(9 & 0b111, prod(h));
        assertEquals(prod(h), cons(h));
    }

    @Test
    void nothingIsRecordedWhileEventqenIsZero() {
        SmmuHarness h = SmmuHarness.stage1();
        h.linearStrtab(4);
        h.queues(6, 2);
        h.enable(true);
        h.mmio.write32(Regs.CR0.offset(), (int) (Cr0.SMMUEN.mask() | Cr0.CMDQEN.mask()));
        for (int sid = 16; sid < 30; sid++) {
            badSid(h, sid);
        }
        assertEquals(0, prod(h), "no record and no overflow while EVENTQEN == 0");
        assertEquals(14, h.model.eventsDropped());
        assertEquals(14, h.reported.size(), "the faults themselves are still reported");
        assertTrue(h.reported.get(0).detail().contains("EVENTQEN"));
    }

    @Test
    void eventQueueWriteAbortRaisesEventqAbtErr() {
        SmmuHarness h = SmmuHarness.stage1();
        h.linearStrtab(4);
        h.queues(6, 2);
        h.mmio.write64(Regs.EVENTQ_BASE.offset(), 0x2000_0000L | 2); // not RAM
        h.enable(true);
        badSid(h, 16);
        int active = h.mmio.read32(Regs.GERROR.offset()) ^ h.mmio.read32(Regs.GERRORN.offset());
        assertEquals((int) Gerror.EVENTQ_ABT_ERR.mask(), active);
        assertTrue(h.irqs.contains(IrqLine.GERROR));
    }

    @Test
    void consumerCannotPassTheProducer() {
        SmmuHarness h = rig();
        badSid(h, 16);
        assertThrows(IllegalArgumentException.class, () -> h.mmio.write32(Regs.EVENTQ_CONS.offset(), 2));
        assertEquals(0, cons(h), "the bad write changed nothing");
    }

    @Test
    void interruptsAreMsisWhenIrqCfg0HasAnAddress() {
        SmmuHarness h = rig();
        long msi = h.pages(1);
        h.mmio.write64(Regs.EVENTQ_IRQ_CFG0.offset(), msi);
        h.mmio.write32(Regs.EVENTQ_IRQ_CFG1.offset(), 0xe0e0);
        h.mmio.write64(Regs.GERROR_IRQ_CFG0.offset(), msi + 8);
        h.mmio.write32(Regs.GERROR_IRQ_CFG1.offset(), 0x6e6e);
        badSid(h, 16);
        assertEquals(0xe0e0, h.mem.readInt(msi));
        h.cmd(0x7f, 0); // an illegal command: GERROR.CMDQ_ERR
        assertEquals(0x6e6e, h.mem.readInt(msi + 8));
        assertTrue(h.irqs.isEmpty(), "no wired interrupt when the MSI is configured");
        assertEquals(1, h.model.irqPulses(IrqLine.EVTQ));
        assertEquals(1, h.model.irqPulses(IrqLine.GERROR));
    }

    @Test
    void evtqInterruptFollowsIrqCtrl() {
        SmmuHarness h = rig();
        h.mmio.write32(Regs.IRQ_CTRL.offset(), 0);
        badSid(h, 16);
        assertTrue(h.irqs.isEmpty());
        h.mmio.write32(Regs.IRQ_CTRL.offset(), 4);
        badSid(h, 17);
        assertEquals(List.of(IrqLine.EVTQ), h.irqs);
    }
}
