package org.iommulab.smmu.v2.internal.driver;

import static org.iommulab.api.platform.AccessType.READ;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.iommulab.api.backend.BackendException;
import org.iommulab.api.backend.TranslationPort;
import org.iommulab.api.iommu.DomainType;
import org.iommulab.api.iommu.IommuDomain;
import org.iommulab.api.iommu.IommuErrno;
import org.iommulab.api.iommu.IommuProt;
import org.iommulab.api.platform.DmaFault;
import org.iommulab.api.platform.DmaFaultException;
import org.iommulab.api.platform.FaultKind;
import org.iommulab.platform.internal.device.SimDmaDevice;
import org.iommulab.smmu.v2.internal.model.SmmuV2Params;
import org.iommulab.smmu.v2.internal.model.regs.Cb;
import org.iommulab.smmu.v2.internal.model.regs.Gr0;
import org.junit.jupiter.api.Test;

/** Probe and release, the domain types, detach, free, and running out of context banks. */
class DomainLifecycleTest {
    private final DriverRig rig = new DriverRig(SmmuV2Params.mmu500().withCounts(8, 2).withTiming(4096, 32, 0),
            DriverOptions.defaults());

    private SimDmaDevice probed(String name, int sid) throws BackendException {
        SimDmaDevice d = rig.device(name, sid);
        rig.driver.probeDevice(d);
        return d;
    }

    private static DmaFault fault(TranslationPort port, int sid, long addr) {
        return assertThrows(DmaFaultException.class, () -> port.translate(sid, addr, READ)).fault();
    }

    @Test
    void aProbedButUnattachedDeviceFaultsAndTheGlobalHandlerReportsIt() throws Exception {
        SimDmaDevice d = probed("idle", 3);
        DmaFault f = fault(rig.driver.translationPort(d), 3, 0x1000);
        assertEquals(FaultKind.STREAM_DISABLED, f.kind());
        assertEquals(1, d.faults().size());
        assertEquals(0, rig.gr0(Gr0.SGFSR), "the global handler cleared sGFSR");
        assertTrue(d.warnings().get(0).contains("Unexpected global fault"), d.warnings().toString());
    }

    @Test
    void aStreamNoDeviceOwnsIsBlockedAndLoggedByTheSmmu() {
        DmaFault f = fault(rig.hw.port("stray", new int[] {0x55}), 0x55, 0x1000);
        assertEquals(FaultKind.UNIDENTIFIED_STREAM, f.kind());
        assertTrue(rig.driver.log().get(0).contains("Blocked unknown Stream ID 0x55"), rig.driver.log().toString());
    }

    @Test
    void identityAndBlockedDomainsProgramTheS2cr() throws Exception {
        SimDmaDevice d = probed("d", 4);
        TranslationPort port = rig.driver.translationPort(d);
        IommuDomain id = rig.driver.allocDomain(DomainType.IDENTITY);
        assertEquals(0, id.attachDevice(d));
        assertEquals(0xabcd_e000L, port.translate(4, 0xabcd_e000L, READ));
        assertEquals(IommuErrno.EINVAL, id.map(0, 0, 0x1000, IommuProt.READ));
        IommuDomain blocked = rig.driver.allocDomain(DomainType.BLOCKED);
        assertEquals(0, blocked.attachDevice(d));
        assertEquals(FaultKind.STREAM_DISABLED, fault(port, 4, 0xabcd_e000L).kind());
        id.free();
    }

    @Test
    void detachSendsTheStreamBackToFaulting() throws Exception {
        SimDmaDevice d = probed("d", 4);
        TranslationPort port = rig.driver.translationPort(d);
        IommuDomain dom = rig.driver.allocDomain(DomainType.DMA);
        dom.attachDevice(d);
        long pa = rig.page();
        dom.map(0x1000, pa, 0x1000, IommuProt.READ);
        assertEquals(pa, port.translate(4, 0x1000, READ));
        dom.detachDevice(d);
        assertEquals(FaultKind.STREAM_DISABLED, fault(port, 4, 0x1000).kind());
    }

    @Test
    void aDomainWithDevicesCannotBeFreedAndAFreedOneDisablesItsBank() throws Exception {
        SimDmaDevice d = probed("d", 4);
        IommuDomain dom = rig.driver.allocDomain(DomainType.DMA);
        dom.attachDevice(d);
        int bank = ((SmmuV2Domain) dom).contextBank();
        assertEquals(1, Cb.SCTLR_M.get(rig.cb(bank, Cb.SCTLR)));
        long before = rig.alloc.allocatedBytes();
        assertThrows(IllegalStateException.class, dom::free);
        dom.detachDevice(d);
        dom.free();
        assertEquals(0, rig.cb(bank, Cb.SCTLR));
        assertTrue(rig.alloc.allocatedBytes() < before, "the page tables were freed");
        IommuDomain next = rig.driver.allocDomain(DomainType.DMA);
        assertEquals(0, next.attachDevice(d));
        assertEquals(bank, ((SmmuV2Domain) next).contextBank(), "the bank was given back");
    }

    @Test
    void runningOutOfContextBanksIsEnospcAndChangesNothing() throws Exception {
        SimDmaDevice a = probed("a", 1);
        SimDmaDevice b = probed("b", 2);
        SimDmaDevice c = probed("c", 3);
        assertEquals(0, rig.driver.allocDomain(DomainType.DMA).attachDevice(a));
        assertEquals(0, rig.driver.allocDomain(DomainType.DMA).attachDevice(b));
        assertEquals(IommuErrno.ENOSPC, rig.driver.allocDomain(DomainType.DMA).attachDevice(c));
        assertEquals(FaultKind.STREAM_DISABLED, fault(rig.driver.translationPort(c), 3, 0).kind());
    }

    @Test
    void twoDevicesShareADomainsBank() throws Exception {
        SimDmaDevice a = probed("a", 1);
        SimDmaDevice b = probed("b", 2);
        IommuDomain dom = rig.driver.allocDomain(DomainType.DMA_FQ);
        dom.attachDevice(a);
        dom.attachDevice(b);
        long pa = rig.page();
        dom.map(0x5000, pa, 0x1000, IommuProt.READ | IommuProt.WRITE);
        assertEquals(pa, rig.driver.translationPort(a).translate(1, 0x5000, READ));
        assertEquals(pa, rig.driver.translationPort(b).translate(2, 0x5000, READ));
        assertEquals(1, dom.counter(org.iommulab.api.backend.BackendCounter.IOTLB_HITS));
    }

    @Test
    void aStreamIdBeyondTheSmmusWidthIsRefusedAtProbe() {
        DriverRig narrow = new DriverRig(new SmmuV2Params(4, 2, 4096, 48, 48, true, false, false, true, true, false, 6, 16,
                0), DriverOptions.defaults());
        SimDmaDevice d = narrow.device("wide", 0x40);
        assertFalse(narrow.driver.servesDevice(d));
        BackendException e = assertThrows(BackendException.class, () -> narrow.driver.probeDevice(d));
        assertTrue(e.getMessage().contains("out of range for SMMU (0x3f)"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> narrow.driver.translationPort(d));
    }

    @Test
    void aProbeThatCannotMapItsStreamsClaimsNoSmr() {
        DriverRig small = new DriverRig(SmmuV2Params.mmu500().withCounts(2, 2).withTiming(4096, 16, 0),
                DriverOptions.defaults());
        SimDmaDevice d = small.device("three", 1, 2, 3);
        assertThrows(BackendException.class, () -> small.driver.probeDevice(d));
        assertEquals(0, Gr0.SMR_VALID.get(small.gr0(Gr0.SMR, 0)));
        assertEquals(0, Gr0.SMR_VALID.get(small.gr0(Gr0.SMR, 1)));
    }

    @Test
    void releaseDetachesAndGivesTheSmrsBack() throws Exception {
        SimDmaDevice d = probed("d", 4);
        IommuDomain dom = rig.driver.allocDomain(DomainType.DMA);
        dom.attachDevice(d);
        assertEquals(1, Gr0.SMR_VALID.get(rig.gr0(Gr0.SMR, 0)));
        rig.driver.releaseDevice(d);
        assertEquals(0, Gr0.SMR_VALID.get(rig.gr0(Gr0.SMR, 0)));
        dom.free();
        assertEquals(IommuErrno.ENODEV, rig.driver.allocDomain(DomainType.DMA).attachDevice(d));
    }
}
