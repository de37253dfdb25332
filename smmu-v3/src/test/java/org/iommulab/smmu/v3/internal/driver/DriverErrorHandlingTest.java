package org.iommulab.smmu.v3.internal.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.iommulab.api.backend.BackendException;
import org.iommulab.api.iommu.DomainType;
import org.iommulab.api.iommu.IommuDomain;
import org.iommulab.api.iommu.IommuProt;
import org.iommulab.api.iommu.IotlbGather;
import org.iommulab.api.platform.AccessType;
import org.iommulab.api.platform.DmaFaultException;
import org.iommulab.iopgtable.lpae.LpaeGranule;
import org.iommulab.platform.internal.device.SimDmaDevice;
import org.iommulab.smmu.v3.internal.format.CmdFormat;
import org.iommulab.smmu.v3.internal.format.RegFields.Queue;
import org.iommulab.smmu.v3.internal.format.Regs;
import org.iommulab.smmu.v3.internal.model.SmmuV3Features;
import org.junit.jupiter.api.Test;

/**
 * The driver's error paths: a command the SMMU refuses is skipped as Linux's
 * {@code __arm_smmu_cmdq_skip_err} does (overwritten with CMD_SYNC, GERRORN acknowledged) and
 * the queue goes on; an event-queue overflow is detected and acknowledged with OVACKFLG.
 */
class DriverErrorHandlingTest {
    @Test
    void illegalCommandIsSkippedAndTheQueueGoesOn() throws BackendException {
        DriverHarness h = DriverHarness.stage1();
        long[] bad = {CmdFormat.D0_OP.of(0x7f), 0, CmdFormat.D0_OP.of(CmdFormat.TLBI_NSNH_ALL), 0};
        assertEquals(0, h.driver.hw().cmdq.issue(bad, 2, true), "the CMD_SYNC completed after the skip");
        List<String> log = h.driver.log();
        assertTrue(log.stream().anyMatch(l -> l.contains("CMDQ error") && l.contains("Illegal command")), log.toString());
        assertTrue(log.stream().anyMatch(l -> l.contains("skipping command in error state")), log.toString());
        int cons = h.driver.mmio().read32(Regs.CMDQ_CONS.offset());
        assertEquals(h.driver.mmio().read32(Regs.CMDQ_PROD.offset()), h.driver.hw().cmdq.ring().position(cons));
        assertEquals(Queue.CERROR_ILL, Queue.CONS_ERR.getInt(cons & 0xffff_ffffL), "ERR still says what stopped it");
        assertEquals(0, h.driver.mmio().read32(Regs.GERROR.offset()) ^ h.driver.mmio().read32(Regs.GERRORN.offset()));
        // The driver keeps working: map, access, unmap, invalidate.
        SimDmaDevice dev = h.device("d", 9);
        h.driver.probeDevice(dev);
        IommuDomain d = h.driver.allocDomain(DomainType.DMA);
        d.attachDevice(dev);
        d.map(0x1000, 0x8000_0000L, 0x1000, IommuProt.READ);
        assertEquals(0x8000_0000L, h.driver.translationPort(dev).translate(9, 0x1000, AccessType.READ));
        IotlbGather g = new IotlbGather();
        d.unmap(0x1000, 0x1000, g);
        d.iotlbSync(g);
        try {
            h.driver.translationPort(dev).translate(9, 0x1000, AccessType.READ);
            throw new AssertionError("the unmapped page still translates");
        } catch (DmaFaultException expected) {
            assertEquals(9, expected.fault().streamId());
        }
    }

    @Test
    void commandFetchAbortIsRetriedOnceThenTheQueueStaysHalted() {
        DriverHarness h = DriverHarness.stage1();
        // Move the command queue out of RAM behind the driver's back.
        h.driver.mmio().write32(Regs.CR0.offset(), 0b101);
        h.driver.mmio().write64(Regs.CMDQ_BASE.offset(), 0x2000_0000L | 8);
        h.driver.mmio().write32(Regs.CR0.offset(), 0b1101);
        long[] cmd = {CmdFormat.D0_OP.of(CmdFormat.TLBI_NSNH_ALL), 0};
        assertEquals(-110, h.driver.hw().cmdq.issue(cmd, 1, true), "the CMD_SYNC never completes");
        List<String> log = h.driver.log();
        assertTrue(log.contains("retrying command fetch"), log.toString());
        assertTrue(log.contains("command fetch keeps aborting; leaving the command queue halted"), log.toString());
        assertTrue(log.stream().anyMatch(l -> l.startsWith("CMD_SYNC timeout")), log.toString());
        assertEquals(1, h.driver.hw().cmdq.timeouts());
        int active = h.driver.mmio().read32(Regs.GERROR.offset()) ^ h.driver.mmio().read32(Regs.GERRORN.offset());
        assertEquals(1, active, "CMDQ_ERR left active");
    }

    @Test
    void eventQueueOverflowIsDetectedAndAcknowledged() throws BackendException {
        DriverHarness h = new DriverHarness(SmmuV3Features.defaults(),
                new DriverConfig(true, DriverConfig.Stage.S1, LpaeGranule.G4K, 48, 8,
                        2, true));
        SimDmaDevice dev = h.device("d", 4);
        h.driver.probeDevice(dev);
        IommuDomain d = h.driver.allocDomain(DomainType.DMA);
        d.attachDevice(dev);
        // Mask the EVTQ interrupt so records pile up, as when the IRQ thread is late.
        h.driver.mmio().write32(Regs.IRQ_CTRL.offset(), 1);
        for (int i = 0; i < 6; i++) {
            long iova = 0x10_0000L * (i + 1);
            try {
                h.driver.translationPort(dev).translate(4, iova, AccessType.READ);
            } catch (DmaFaultException expected) {
                // F_TRANSLATION: 4 recorded, 2 lost
            }
        }
        assertEquals(6, dev.faults().size(), "every fault is reported, recorded or not");
        int prod = h.driver.mmio().read32(Regs.EVENTQ_PROD.offset());
        assertTrue(prod < 0, "OVFLG set");
        assertEquals(4, h.driver.hw().evtq.drain());
        assertTrue(h.driver.log().contains("EVTQ overflow detected -- events lost"));
        int cons = h.driver.mmio().read32(Regs.EVENTQ_CONS.offset());
        assertEquals(prod & (1 << 31), cons & (1 << 31), "OVACKFLG = OVFLG");
        assertEquals(4, dev.warnings().size());
    }
}
