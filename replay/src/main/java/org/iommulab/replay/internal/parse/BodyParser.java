package org.iommulab.replay.internal.parse;

/**
 * Parses the fields part of a known event (after {@code "name: "}) by its TP_printk format
 * ({@link EventKind.Format}); throws {@link IllegalArgumentException} naming what is wrong.
 */
final class BodyParser {
    /** The prefix every iommu.h format starts with. */
    private static final String IOMMU = "IOMMU:";

    void parse(EventKind kind, String body, TraceEvent.Builder b) {
        switch (kind.format()) {
            case MAP: map(body, b); break;
            case UNMAP: unmap(body, b); break;
            case MAP_SG: mapSg(body, b); break;
            case MAP_SG_ERR: mapSgErr(body, b); break;
            case UNMAP_SG: unmapSg(body, b); break;
            case ALLOC: alloc(body, b); break;
            case ALLOC_SGT: allocSgt(body, b); break;
            case FREE: free(body, b); break;
            case FREE_SGT: freeSgt(body, b); break;
            case SYNC_SINGLE: syncSingle(body, b); break;
            case SYNC_SG: syncSg(body, b); break;
            case IOMMU_MAP: iommuMap(body, b); break;
            case IOMMU_UNMAP: iommuUnmap(body, b); break;
            case IOMMU_DEVICE: iommuDevice(body, b); break;
            case IOMMU_GROUP: iommuGroup(body, b); break;
            case IOMMU_FAULT: iommuFault(body, b); break;
            default: throw new IllegalStateException("no parser for " + kind.format());
        }
    }

    /** The device and direction every dma.h format starts with: {@code "%s dir=%s"}. */
    private static Fields deviceAndDir(String body, TraceEvent.Builder b) {
        Fields f = Fields.split(body);
        String device = f.word(0);
        if (device.indexOf('=') >= 0) {
            throw new IllegalArgumentException("missing device name before '" + device + "'");
        }
        b.device = device;
        b.dir = DmaSymbols.direction(f.get("dir"));
        return f;
    }

    private static void attrs(Fields f, TraceEvent.Builder b) {
        DmaSymbols.Attrs a = DmaSymbols.attrs(f.get("attrs"));
        b.attrs = a.bits();
        b.unknownAttrs = a.unknown();
    }

    private static long positiveSize(Fields f) {
        long size = Numbers.dec(f.get("size"));
        if (size == 0) {
            throw new IllegalArgumentException("size=0");
        }
        return size;
    }

    private void map(String body, TraceEvent.Builder b) {
        Fields f = deviceAndDir(body, b);
        b.dmaAddr = Numbers.hex(f.get("dma_addr"));
        b.size = positiveSize(f);
        b.physAddr = Numbers.hex(f.get("phys_addr"));
        attrs(f, b);
    }

    private void unmap(String body, TraceEvent.Builder b) {
        Fields f = deviceAndDir(body, b);
        b.dmaAddr = Numbers.hex(f.get("dma_addr"));
        b.size = positiveSize(f);
        attrs(f, b);
    }

    /**
     * Both generations of dma_map_sg: without counts (v6.12: arrays of nents and ents values)
     * and with {@code nents=traced/full ents=traced/full} and {@code [TRUNCATED]} when either
     * count exceeds DMA_TRACE_MAX_ENTRIES (128).
     */
    private void mapSg(String body, TraceEvent.Builder b) {
        Fields f = deviceAndDir(body, b);
        b.dmaAddrs = Numbers.array(f.get("dma_addrs"));
        b.lengths = Numbers.array(f.get("sizes"));
        b.physAddrs = Numbers.array(f.get("phys_addrs"));
        attrs(f, b);
        if (b.dmaAddrs.size() != b.lengths.size()) {
            throw new IllegalArgumentException(b.dmaAddrs.size() + " dma_addrs but " + b.lengths.size() + " sizes");
        }
        int tracedNents = b.physAddrs.size();
        int tracedEnts = b.dmaAddrs.size();
        b.fullNents = count(f.opt("nents"), "nents", tracedNents);
        b.fullEnts = count(f.opt("ents"), "ents", tracedEnts);
        b.truncated = f.has("[TRUNCATED]") || b.fullNents > tracedNents || b.fullEnts > tracedEnts;
        if (b.fullNents == 0 || b.fullEnts == 0) {
            throw new IllegalArgumentException("empty scatterlist");
        }
        if (b.fullEnts > b.fullNents) {
            throw new IllegalArgumentException("ents " + b.fullEnts + " > nents " + b.fullNents);
        }
        for (int i = 0; i < b.lengths.size(); i++) {
            if (b.lengths.get(i) <= 0 || b.lengths.get(i) > 0xffff_ffffL) {
                throw new IllegalArgumentException("DMA segment " + i + " length " + b.lengths.get(i) + " is not a u32 > 0");
            }
        }
    }

    /** {@code "traced/full"} as printed, checked against the array it describes. */
    private static int count(String v, String name, int traced) {
        if (v == null) {
            return traced;
        }
        int slash = v.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("bad " + name + "=" + v + ": expected traced/full");
        }
        int shown = Numbers.signedInt(v.substring(0, slash));
        int full = Numbers.signedInt(v.substring(slash + 1));
        if (shown != traced || full < shown || full < 0) {
            throw new IllegalArgumentException(name + "=" + v + " does not match the " + traced + " values printed");
        }
        return full;
    }

    private void mapSgErr(String body, TraceEvent.Builder b) {
        Fields f = deviceAndDir(body, b);
        // TP_printk labels this array dma_addrs, but TP_fast_assign fills it with sg_phys().
        b.physAddrs = Numbers.array(f.get("dma_addrs"));
        b.err = Numbers.signedInt(f.get("err"));
        b.fullNents = b.physAddrs.size();
        attrs(f, b);
    }

    private void unmapSg(String body, TraceEvent.Builder b) {
        Fields f = deviceAndDir(body, b);
        b.physAddrs = Numbers.array(f.get("phys_addrs"));
        if (b.physAddrs.isEmpty()) {
            throw new IllegalArgumentException("empty scatterlist");
        }
        b.fullNents = b.physAddrs.size();
        attrs(f, b);
    }

    private void alloc(String body, TraceEvent.Builder b) {
        Fields f = deviceAndDir(body, b);
        b.dmaAddr = Numbers.hex(f.get("dma_addr"));
        b.size = positiveSize(f);
        f.get("virt_addr"); // %p: hashed, of no use
        f.get("flags");
        attrs(f, b);
    }

    private void allocSgt(String body, TraceEvent.Builder b) {
        Fields f = deviceAndDir(body, b);
        b.dmaAddr = Numbers.hex(f.get("dma_addr"));
        b.size = positiveSize(f);
        b.physAddrs = Numbers.array(f.get("phys_addrs"));
        f.get("flags");
        attrs(f, b);
    }

    private void free(String body, TraceEvent.Builder b) {
        Fields f = deviceAndDir(body, b);
        b.dmaAddr = Numbers.hex(f.get("dma_addr"));
        b.size = positiveSize(f);
        f.get("virt_addr");
        attrs(f, b);
    }

    private void freeSgt(String body, TraceEvent.Builder b) {
        Fields f = deviceAndDir(body, b);
        b.dmaAddr = Numbers.hex(f.get("dma_addr"));
        b.size = positiveSize(f);
        b.physAddrs = Numbers.array(f.get("phys_addrs"));
    }

    private void syncSingle(String body, TraceEvent.Builder b) {
        Fields f = deviceAndDir(body, b);
        b.dmaAddr = Numbers.hex(f.get("dma_addr"));
        b.size = positiveSize(f);
    }

    private void syncSg(String body, TraceEvent.Builder b) {
        Fields f = deviceAndDir(body, b);
        b.dmaAddrs = Numbers.array(f.get("dma_addrs"));
        b.lengths = Numbers.array(f.get("sizes"));
        if (b.dmaAddrs.size() != b.lengths.size() || b.dmaAddrs.isEmpty()) {
            throw new IllegalArgumentException(b.dmaAddrs.size() + " dma_addrs but " + b.lengths.size() + " sizes");
        }
        b.fullNents = b.dmaAddrs.size();
    }

    /** The words after {@code "IOMMU:"}; for io_page_fault the driver name follows without a space. */
    private static Fields iommu(String body) {
        if (!body.startsWith(IOMMU)) {
            throw new IllegalArgumentException("expected 'IOMMU:' at the start of the fields");
        }
        return Fields.split(body.substring(IOMMU.length()));
    }

    /** {@code "iova=0x%016llx - 0x%016llx"}: start and end, checked against {@code size}. */
    private static void iovaRange(Fields f, TraceEvent.Builder b) {
        b.iova = Numbers.hex(f.get("iova"));
        if (f.size() < 3 || !"-".equals(f.word(1))) {
            throw new IllegalArgumentException("expected 'iova=0x.. - 0x..'");
        }
        long end = Numbers.hex(f.word(2));
        b.size = Numbers.dec(f.get("size"));
        if (end - b.iova != b.size) {
            throw new IllegalArgumentException(String.format("iova range 0x%x - 0x%x is not size %d", b.iova, end, b.size));
        }
    }

    private void iommuMap(String body, TraceEvent.Builder b) {
        Fields f = iommu(body);
        iovaRange(f, b);
        b.physAddr = Numbers.hex(f.get("paddr"));
    }

    private void iommuUnmap(String body, TraceEvent.Builder b) {
        Fields f = iommu(body);
        iovaRange(f, b);
        b.unmappedSize = Numbers.dec(f.get("unmapped_size"));
    }

    private void iommuDevice(String body, TraceEvent.Builder b) {
        b.device = iommu(body).get("device");
    }

    private void iommuGroup(String body, TraceEvent.Builder b) {
        Fields f = iommu(body);
        b.err = Numbers.signedInt(f.get("groupID"));
        b.device = f.get("device");
    }

    /** {@code "IOMMU:%s %s iova=0x%016llx flags=0x%04x"}: driver (maybe empty), device. */
    private void iommuFault(String body, TraceEvent.Builder b) {
        Fields f = iommu(body);
        int named = 0;
        while (named < f.size() && f.word(named).indexOf('=') < 0) {
            named++;
        }
        if (named == 2) {
            b.driver = f.word(0);
            b.device = f.word(1);
        } else if (named == 1) {
            b.driver = "";
            b.device = f.word(0);
        } else {
            throw new IllegalArgumentException("expected 'IOMMU:driver device iova=.. flags=..'");
        }
        b.iova = Numbers.hex(f.get("iova"));
        b.faultFlags = (int) Numbers.hex(f.get("flags"));
        b.dir = null;
    }
}
