package org.iommulab.smmu.v3.internal.model;

import java.util.function.Consumer;

import org.iommulab.api.platform.AccessType;
import org.iommulab.api.platform.DmaFault;
import org.iommulab.api.platform.DmaFaultException;
import org.iommulab.api.platform.PhysicalMemory;
import org.iommulab.smmu.v3.internal.format.EventFormat;
import org.iommulab.smmu.v3.internal.format.EventRecord;
import org.iommulab.smmu.v3.internal.model.fault.SmmuFault;
import org.iommulab.smmu.v3.internal.model.ste.ConfigCache;
import org.iommulab.smmu.v3.internal.model.ste.ConfigDecoder;
import org.iommulab.modelkit.tlb.Iotlb;
import org.iommulab.smmu.v3.internal.model.tlb.TlbEntries;

/**
 * The SMMUv3 hardware model: registers ({@link #mmio()}), the stream table, CDs and queues it
 * reads from and writes to simulated memory, its configuration cache and IOTLB, and the
 * translation of every device transaction ({@link #port}). The driver reaches its state only
 * through the register interface and the memory structures; the interrupt lines are wired to
 * a listener ({@link #connectIrq}). One lock serialises registers and transactions. The
 * statistics getters only observe.
 */
public final class SmmuV3Model {
    final Object lock = new Object();
    private final String name;
    private final SmmuV3Features features;
    private final IdRegisters ids;
    private final RegisterState regs = new RegisterState();
    private final SmmuMemory memory;
    private final Interrupts irqs;
    private final EventWriter events;
    private final ConfigCache configs = new ConfigCache();
    private final Iotlb iotlb;
    private final CommandProcessor commands;
    private final Translator translator;
    private final SmmuV3Mmio mmio;

    /**
     * @param name the backend name faults carry ({@code smmu-v3})
     * @throws IllegalArgumentException for a null argument
     */
    public SmmuV3Model(String name, PhysicalMemory memory, SmmuV3Features features) {
        if (name == null || memory == null || features == null) {
            throw new IllegalArgumentException("the SMMUv3 model needs a name, physical memory and features");
        }
        this.name = name;
        this.features = features;
        this.ids = new IdRegisters(features);
        this.memory = new SmmuMemory(memory, features.oasBits());
        this.irqs = new Interrupts(regs, this.memory);
        this.events = new EventWriter(regs, this.memory, irqs, features.evtqLog2());
        this.iotlb = TlbEntries.create(features.iotlbEntries());
        this.commands = new CommandProcessor(regs, this.memory, irqs, features, configs, iotlb);
        ConfigDecoder decoder = new ConfigDecoder(this.memory, features);
        this.translator = new Translator(regs, configs, decoder, iotlb, new Walks(this.memory), features.oasBits());
        this.mmio = new SmmuV3Mmio(this, regs, ids, features, commands, events, irqs);
        regs.reset(features.cmdqLog2(), features.evtqLog2());
    }

    public String name() {
        return name;
    }

    public SmmuV3Features features() {
        return features;
    }

    /** The register interface the driver programs the SMMU through. */
    public SmmuV3Mmio mmio() {
        return mmio;
    }

    /** Wires the interrupt lines to {@code listener} (null disconnects them). */
    public void connectIrq(IrqListener listener) {
        irqs.connect(listener);
    }

    /**
     * A port for one device's transactions; faults are reported to {@code reporter} (the
     * device's {@code reportFault}) before the access aborts.
     */
    public ModelPort port(String deviceName, Consumer<DmaFault> reporter) {
        if (deviceName == null || reporter == null) {
            throw new IllegalArgumentException("a port needs a device name and a fault sink");
        }
        return new ModelPort(this, deviceName, reporter, features.minGranuleShift());
    }

    /**
     * A reset (QEMU's {@code smmu_reset_exit}): registers to their reset values and every cache
     * dropped (QEMU's "Fix device reset" bug kept decoded configurations across a reset).
     */
    public void reset() {
        synchronized (lock) {
            regs.reset(features.cmdqLog2(), features.evtqLog2());
            configs.clear();
            iotlb.invalidateAll();
            irqs.clear();
        }
    }

    long translate(ModelPort port, int sid, long addr, AccessType access) {
        DmaFault fault;
        synchronized (lock) {
            try {
                return translator.translate(port, sid, addr, access);
            } catch (SmmuFault f) {
                port.faults++;
                fault = raise(port, sid, addr, access, f);
            } finally {
                irqs.deliver();
            }
        }
        port.report(fault);
        throw new DmaFaultException(fault);
    }

    /** {@link #translate} for a run of blocks under one hold of the lock ({@code Translator.translateRun}). */
    int translateRun(ModelPort port, int sid, long addr, AccessType access, long[] frames, int count, int shift) {
        DmaFault fault;
        synchronized (lock) {
            try {
                return translator.translateRun(port, sid, addr, access, frames, count, shift);
            } catch (SmmuFault f) {
                // Only block 0 can fault: the run stops before any later block that would.
                port.faults++;
                fault = raise(port, sid, addr, access, f);
            } finally {
                irqs.deliver();
            }
        }
        port.report(fault);
        throw new DmaFaultException(fault);
    }

    /** Records the event a fault defines (unless suppressed or lost) and describes it for the platform. */
    private DmaFault raise(ModelPort port, int sid, long addr, AccessType access, SmmuFault f) {
        DmaFault.Builder b = DmaFault.builder(f.kind()).device(port.deviceName(), sid).address(addr, access)
                .origin(f.origin()).level(f.level()).backend(name);
        String detail = f.detail();
        boolean recorded = false;
        if (f.eventId() != SmmuFault.NO_EVENT) {
            EventRecord rec = record(f, sid, addr, access == AccessType.READ);
            rec.fields(b::syndrome);
            if (!f.recordable()) {
                detail += "; not recorded: " + suppression(f);
            } else {
                recorded = events.record(rec);
                if (!recorded) {
                    detail += "; not recorded: " + events.lastLoss();
                }
            }
            detail = EventFormat.name(f.eventId()) + ": " + detail;
        }
        b.syndrome("RECORDED", recorded ? 1 : 0);
        return b.detail(detail).build();
    }

    private static EventRecord record(SmmuFault f, int sid, long addr, boolean read) {
        int id = f.eventId();
        if (EventFormat.isTranslationFault(id)) {
            return EventRecord.translation(id, sid, read, f.stage2(), f.clazz(), addr, f.addr2());
        }
        if (EventFormat.hasFetchAddr(id)) {
            return EventRecord.fetch(id, sid, f.addr2());
        }
        return EventRecord.config(id, sid);
    }

    private static String suppression(SmmuFault f) {
        if (f.eventId() == EventFormat.C_BAD_STREAMID) {
            return "CR2.RECINVSID == 0";
        }
        return f.stage2() ? "STE.S2R == 0" : "CD.R == 0";
    }

    // ---- observation (tests, shell): no state changes --------------------------------------

    public int iotlbSize() {
        synchronized (lock) {
            return iotlb.size();
        }
    }

    public long iotlbEvictions() {
        synchronized (lock) {
            return iotlb.evictions();
        }
    }

    public int configCacheSize() {
        synchronized (lock) {
            return configs.size();
        }
    }

    public long eventsWritten() {
        synchronized (lock) {
            return events.written();
        }
    }

    /** Events lost to a full queue or an aborted queue write. */
    public long eventsDiscarded() {
        synchronized (lock) {
            return events.discarded();
        }
    }

    /** Events dropped while EVENTQEN == 0. */
    public long eventsDropped() {
        synchronized (lock) {
            return events.dropped();
        }
    }

    public long commandsConsumed() {
        synchronized (lock) {
            return commands.consumed();
        }
    }

    /** TLBI commands executed (TLBI_NSNH_ALL, NH_*, S12_VMALL, S2_IPA). */
    public long invalidationCommands() {
        synchronized (lock) {
            return commands.effects().invalidationCommands();
        }
    }

    /** CMD_SYNCs with CS = SEV completed: what a PE waiting in WFE would wake on. */
    public long sevCount() {
        synchronized (lock) {
            return irqs.sevCount();
        }
    }

    /** Pulses delivered on {@code line} (wired or MSI). */
    public long irqPulses(IrqLine line) {
        synchronized (lock) {
            return irqs.pulses(line);
        }
    }
}
