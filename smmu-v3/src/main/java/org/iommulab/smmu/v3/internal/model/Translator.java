package org.iommulab.smmu.v3.internal.model;

import org.iommulab.api.platform.AccessType;
import org.iommulab.api.platform.FaultKind;
import org.iommulab.api.platform.FaultOrigin;
import org.iommulab.smmu.v3.internal.format.EventFormat;
import org.iommulab.smmu.v3.internal.model.fault.SmmuFault;
import org.iommulab.smmu.v3.internal.model.ste.ConfigCache;
import org.iommulab.smmu.v3.internal.model.ste.ConfigDecoder;
import org.iommulab.smmu.v3.internal.model.ste.Stage1Config;
import org.iommulab.smmu.v3.internal.model.ste.Stage2Config;
import org.iommulab.smmu.v3.internal.model.ste.StreamConfig;
import org.iommulab.modelkit.tlb.Iotlb;
import org.iommulab.smmu.v3.internal.model.tlb.TlbEntries;

/**
 * One transaction through the SMMU (QEMU's {@code smmuv3_translate}): SMMUEN and GBPA, the
 * configuration (cached, or decoded from the stream table), then the IOTLB, and on a miss the
 * walks, whose result is cached. A permission check on an IOTLB hit reports the stage that
 * denies, as a walk would. Faults come out as {@link SmmuFault}. The hit path allocates
 * nothing. Called under the model's lock.
 */
final class Translator {
    private final RegisterState regs;
    private final ConfigCache configs;
    private final ConfigDecoder decoder;
    private final Iotlb iotlb;
    private final Walks walks;
    private final int ias;
    // The last StreamID's config and the cache's change count when it was read: a device's
    // transactions come in runs on one stream, and this spares the cache lookup of each.
    private int lastSid;
    private StreamConfig lastCfg;
    private long lastChanges = -1;

    Translator(RegisterState regs, ConfigCache configs, ConfigDecoder decoder, Iotlb iotlb, Walks walks, int ias) {
        this.regs = regs;
        this.configs = configs;
        this.decoder = decoder;
        this.iotlb = iotlb;
        this.walks = walks;
        this.ias = ias;
    }

    /** The PA of {@code addr}, counting a hit or a miss on {@code port}. */
    long translate(ModelPort port, int sid, long addr, AccessType access) {
        if (!regs.smmuEnabled()) {
            if (regs.gbpaAbort()) {
                throw SmmuFault.silent(FaultKind.STREAM_DISABLED, FaultOrigin.ACCESS,
                        "SMMU disabled (CR0.SMMUEN == 0) and GBPA.ABORT == 1: transaction aborted");
            }
            return addr;
        }
        StreamConfig cfg = config(sid);
        switch (cfg.kind()) {
            case ABORT:
                throw SmmuFault.silent(FaultKind.STREAM_DISABLED, FaultOrigin.ACCESS,
                        String.format("sid 0x%x: STE.Config == abort (no event is recorded)", sid & 0xffff_ffffL));
            case BYPASS:
                return addr;
            case DISABLED:
                throw ConfigDecoder.streamDisabled(sid);
            default:
                break;
        }
        int e = iotlb.lookup(cfg.tlbKind(), cfg.vmid(), cfg.tlbAsid(), addr);
        if (e >= 0) {
            checkCached(cfg, e, addr, access);
            port.hits++;
            return iotlb.translate(e, addr);
        }
        port.misses++;
        return walkAndFill(cfg, addr, access);
    }

    /**
     * A run of blocks of {@code 1 << shift} bytes from {@code addr} ({@code TranslationPort.translateRun}):
     * block 0 through {@link #translate}, which walks, fills or faults as for any transaction;
     * then each following block on an IOTLB hit that permits the access. The SMMU translates each
     * transaction on its own (QEMU's {@code smmuv3_translate} per access: config, IOTLB lookup,
     * walk on a miss), so every block still takes its own lookup, counted as a hit as {@link #translate} counts it; what
     * the run spares is the lock and the stream's config, which cannot change under the lock
     * for one StreamID. The run stops before the first block that misses or would be denied,
     * having looked at it with {@link Iotlb#find} only (no statistics, no replacement update),
     * so that block then goes through {@link #translate} and faults there exactly as it would
     * have block by block.
     *
     * @return the blocks translated into {@code frames}, 1 to {@code count}
     */
    int translateRun(ModelPort port, int sid, long addr, AccessType access, long[] frames, int count, int shift) {
        frames[0] = translate(port, sid, addr, access);
        if (count == 1) {
            return 1;
        }
        long block = addr & -(1L << shift);
        if (!regs.smmuEnabled() || lastCfg.kind() == StreamConfig.Kind.BYPASS) {
            // translate() returned addr for block 0, and will for every block: no lookup, no count.
            for (int i = 1; i < count; i++) {
                frames[i] = block + ((long) i << shift);
            }
            return count;
        }
        // block 0 went through config(sid), so lastCfg is this stream's config now.
        StreamConfig cfg = lastCfg;
        int kind = cfg.tlbKind();
        int vmid = cfg.vmid();
        int asid = cfg.tlbAsid();
        int need = required(cfg, access);
        int i = 1;
        for (; i < count; i++) {
            long a = block + ((long) i << shift);
            int e = iotlb.find(kind, vmid, asid, a, Iotlb.ALL_SHIFTS);
            if (e == Iotlb.MISS || (iotlb.perms(e) & need) != need) {
                break;
            }
            iotlb.hit(e); // what lookup() would have counted
            frames[i] = iotlb.translate(e, a);
        }
        port.hits += i - 1;
        return i;
    }

    /**
     * The permission bits an IOTLB entry needs for {@code access}: those whose absence makes
     * {@link #checkCached} fault, at each stage the config has.
     */
    private static int required(StreamConfig cfg, AccessType access) {
        boolean write = access == AccessType.WRITE;
        int need = 0;
        if (cfg.stage1() != null) {
            need |= write ? TlbEntries.S1_WRITE : TlbEntries.S1_READ;
        }
        if (cfg.stage2() != null) {
            need |= write ? TlbEntries.S2_WRITE : TlbEntries.S2_READ;
        }
        return need;
    }

    /** The stream's config: cached (QEMU's {@code smmuv3_get_config}), or decoded and cached now. */
    private StreamConfig config(int sid) {
        if (sid == lastSid && lastChanges == configs.changes()) {
            return lastCfg;
        }
        StreamConfig cfg = configs.get(sid);
        if (cfg == null) {
            cfg = decoder.decode(sid, regs.strtabBase, regs.strtabBaseCfg, regs.recordInvalidSid(), walks);
            configs.put(sid, cfg);
        }
        lastSid = sid;
        lastCfg = cfg;
        lastChanges = configs.changes();
        return cfg;
    }

    private void checkCached(StreamConfig cfg, int e, long addr, AccessType access) {
        int p = iotlb.perms(e);
        boolean write = access == AccessType.WRITE;
        Stage1Config s1 = cfg.stage1();
        Stage2Config s2 = cfg.stage2();
        if (s1 != null && (p & (write ? TlbEntries.S1_WRITE : TlbEntries.S1_READ)) == 0) {
            throw SmmuFault.walk(EventFormat.F_PERMISSION, s1.recordFaults(), FaultKind.PERMISSION, FaultOrigin.ACCESS,
                    iotlb.level(e), false, EventFormat.CLASS_IN, 0,
                    String.format("stage 1 permission fault at level %d (cached translation of VA 0x%x)", iotlb.level(e), addr));
        }
        if (s2 != null && (p & (write ? TlbEntries.S2_WRITE : TlbEntries.S2_READ)) == 0) {
            long ipa = TlbEntries.ipaOf(iotlb, e, addr);
            int s2Level = TlbEntries.s2Level(iotlb, e);
            throw SmmuFault.walk(EventFormat.F_PERMISSION, s2.recordFaults(), FaultKind.PERMISSION, FaultOrigin.ACCESS,
                    s2Level, true, EventFormat.CLASS_IN, ipa,
                    String.format("stage 2 permission fault at level %d (cached translation of IPA 0x%x)", s2Level, ipa));
        }
    }

    private long walkAndFill(StreamConfig cfg, long addr, AccessType access) {
        Stage1Config s1 = cfg.stage1();
        Stage2Config s2 = cfg.stage2();
        long ipa = addr;
        int shift = 64;
        int perms = 0;
        int level = 0;
        int s2Level = 0;
        if (s1 != null) {
            walks.stage1(s1, s2, addr, access);
            ipa = walks.s1.outputAddress();
            shift = walks.s1.blockShift();
            level = walks.s1.level();
            perms |= (walks.s1.readable() ? TlbEntries.S1_READ : 0) | (walks.s1.writable() ? TlbEntries.S1_WRITE : 0);
        } else if (s2 != null && (ipa >>> ias) != 0) {
            // §3.4.1: with stage 1 bypassed, an input beyond the IAS is a stage-1 Address Size fault.
            throw SmmuFault.walk(EventFormat.F_ADDR_SIZE, true, FaultKind.ADDRESS_SIZE, FaultOrigin.ACCESS, 0, false,
                    EventFormat.CLASS_IN, 0, String.format("input 0x%x is beyond the %d-bit IAS (stage 1 bypassed)", addr, ias));
        }
        long pa = ipa;
        if (s2 != null) {
            walks.stage2(s2, ipa, access);
            pa = walks.s2.outputAddress();
            shift = Math.min(shift, walks.s2.blockShift());
            s2Level = walks.s2.level();
            if (s1 == null) {
                level = s2Level;
            }
            perms |= (walks.s2.readable() ? TlbEntries.S2_READ : 0) | (walks.s2.writable() ? TlbEntries.S2_WRITE : 0);
        }
        // Nesting: the entry covers the smaller of the two leaves (QEMU's combine_tlb).
        TlbEntries.fill(iotlb, cfg.tlbKind(), cfg.vmid(), cfg.tlbAsid(), addr, shift, pa, ipa, perms, level, s2Level);
        return pa;
    }
}
