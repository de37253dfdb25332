package com.example.vtd.internal.model;

import org.iommulab.api.platform.FaultKind;
import org.iommulab.api.platform.FaultOrigin;
import org.iommulab.api.platform.PhysicalMemory;

import com.example.vtd.internal.format.ContextEntry;
import com.example.vtd.internal.format.FaultRecord;
import com.example.vtd.internal.format.RootEntry;
import com.example.vtd.internal.format.SourceId;

/**
 * The unit's configuration fetch for one requester, apart from the walk: root entry at
 * {@code RTA + 16 * bus}, then context entry at {@code CTP + 16 * devfn}, each checked as the
 * spec's fault conditions say (§7.1.3; QEMU {@code vtd_dev_to_context_entry},
 * {@code vtd_get_root_entry}, {@code vtd_get_context_entry_from_root},
 * {@code vtd_ce_type_check}, {@code vtd_is_level_supported}):
 *
 * <pre>
 *   root entry not RAM           8h  FETCH_ABORT            misprogrammed
 *   root entry P = 0             1h  DEVICE_ENTRY_INVALID   access (no context for the bus)
 *   root reserved bits set       Ah  BAD_CONFIG             misprogrammed
 *   context entry not RAM        9h  FETCH_ABORT            misprogrammed
 *   context entry P = 0          2h  DEVICE_ENTRY_INVALID   access (the device is not attached)
 *   context reserved bits set    Bh  BAD_CONFIG             misprogrammed
 *   TT not 00b, AW not in SAGAW  3h  BAD_CONFIG             misprogrammed (ECAP.DT/PT are 0)
 *   RTADDR.TTM not 00b           3h  BAD_CONFIG             not modelled (scalable mode)
 * </pre>
 * Stateless.
 */
final class ContextDecoder {
    private ContextDecoder() {
    }

    /**
     * @param rta the root table address latched by the last SRTP
     * @param ttm RTADDR.TTM latched with it
     * @param sagaw CAP.SAGAW
     * @param haw host address width: table pointers must lie below it
     * @throws VtdFault when the request cannot use its context entry
     */
    static DecodedContext decode(PhysicalMemory mem, long rta, int ttm, int sourceId, int sagaw, int haw) {
        String who = SourceId.bdf(sourceId);
        if (ttm != 0) {
            throw VtdFault.context(FaultRecord.CONTEXT_ENTRY_INV, FaultKind.BAD_CONFIG, FaultOrigin.NOT_MODELLED, 0,
                    "RTADDR.TTM = " + ttm + ": scalable-mode root and context tables are not modelled");
        }
        int bus = SourceId.bus(sourceId);
        long rootAddr = RootEntry.address(rta, bus);
        if (!mem.isRam(rootAddr, RootEntry.SIZE)) {
            throw VtdFault.context(FaultRecord.ROOT_TABLE_INV, FaultKind.FETCH_ABORT, FaultOrigin.MISPROGRAMMED,
                    rootAddr, String.format("root entry fetch for bus %02x at 0x%x is not RAM", bus, rootAddr));
        }
        long rlo = mem.readLong(rootAddr);
        long rhi = mem.readLong(rootAddr + 8);
        if (!RootEntry.P.isSet(rlo)) {
            throw VtdFault.context(FaultRecord.ROOT_ENTRY_P, FaultKind.DEVICE_ENTRY_INVALID, FaultOrigin.ACCESS, 0,
                    String.format("root entry for bus %02x: P = 0 (%s has no context table)", bus, who));
        }
        if ((rlo & RootEntry.reservedLo(haw)) != 0 || rhi != 0) {
            throw VtdFault.context(FaultRecord.ROOT_ENTRY_RSVD, FaultKind.BAD_CONFIG, FaultOrigin.MISPROGRAMMED, 0,
                    String.format("root entry for bus %02x = 0x%016x_%016x sets reserved bits", bus, rhi, rlo));
        }
        long ctxAddr = ContextEntry.address(RootEntry.CTP.bits(rlo), SourceId.devfn(sourceId));
        if (!mem.isRam(ctxAddr, ContextEntry.SIZE)) {
            throw VtdFault.context(FaultRecord.CONTEXT_TABLE_INV, FaultKind.FETCH_ABORT, FaultOrigin.MISPROGRAMMED,
                    ctxAddr, String.format("context entry fetch for %s at 0x%x is not RAM", who, ctxAddr));
        }
        long lo = mem.readLong(ctxAddr);
        long hi = mem.readLong(ctxAddr + 8);
        if (!ContextEntry.P.isSet(lo)) {
            throw VtdFault.context(FaultRecord.CONTEXT_ENTRY_P, FaultKind.DEVICE_ENTRY_INVALID, FaultOrigin.ACCESS, 0,
                    "context entry for " + who + ": P = 0 (the device is not attached to a domain)");
        }
        boolean fpd = ContextEntry.FPD.isSet(lo);
        int did = ContextEntry.DID.getInt(hi);
        if ((lo & ContextEntry.reservedLo(haw)) != 0 || (hi & ContextEntry.RSVD_HI) != 0) {
            throw new VtdFault(FaultKind.BAD_CONFIG, FaultOrigin.MISPROGRAMMED, FaultRecord.CONTEXT_ENTRY_RSVD, !fpd, -1,
                    0, did, String.format("context entry for %s = 0x%016x_%016x sets reserved bits", who, hi, lo));
        }
        int tt = ContextEntry.TT.getInt(lo);
        if (tt != ContextEntry.TT_MULTI_LEVEL) {
            throw new VtdFault(FaultKind.BAD_CONFIG, FaultOrigin.MISPROGRAMMED, FaultRecord.CONTEXT_ENTRY_INV, !fpd, -1,
                    0, did, "context entry for " + who + ": TT = " + tt
                            + " needs ECAP.DT or ECAP.PT, which this unit does not report");
        }
        int aw = ContextEntry.AW.getInt(hi);
        if ((sagaw & ContextEntry.sagawBit(aw)) == 0) {
            throw new VtdFault(FaultKind.BAD_CONFIG, FaultOrigin.MISPROGRAMMED, FaultRecord.CONTEXT_ENTRY_INV, !fpd, -1,
                    0, did, String.format("context entry for %s: AW = %d is not in CAP.SAGAW 0x%x", who, aw, sagaw));
        }
        return new DecodedContext(sourceId, did, ContextEntry.SLPTPTR.bits(lo), aw, fpd);
    }
}
