package org.iommulab.iommu.generic.internal.model;

import org.iommulab.api.platform.FaultKind;
import org.iommulab.api.platform.FaultOrigin;
import org.iommulab.api.platform.PhysicalMemory;
import org.iommulab.iommu.generic.internal.format.DeviceTableEntry;
import org.iommulab.iopgtable.lpae.LpaeFormat;
import org.iommulab.iopgtable.lpae.LpaeGranule;
import org.iommulab.iopgtable.lpae.LpaeStage;
import org.iommulab.iopgtable.lpae.LpaeTranslationConfig;

/**
 * Reads a stream's device-table entry from memory and decodes it into a {@link DecodedStream}:
 * the hardware's configuration fetch, apart from the walk. Errors say whose doing they are:
 * a stream beyond the table or a disabled entry is the device's access; a fetch outside RAM or
 * fields the IDR does not advertise are the driver's misprogramming.
 */
final class DeviceTableDecoder {
    private DeviceTableDecoder() {
    }

    static DecodedStream decode(PhysicalMemory mem, long dtBase, int log2Size, int sid, int maxIas, int maxOas) {
        if (sid < 0 || sid >= (1L << log2Size)) {
            return DecodedStream.error(FaultKind.BAD_STREAM_ID, FaultOrigin.ACCESS,
                    "stream ID " + sid + " is beyond the " + (1L << log2Size) + "-entry device table");
        }
        long addr = dtBase + (long) sid * DeviceTableEntry.SIZE;
        if (!mem.isRam(addr, DeviceTableEntry.SIZE)) {
            return DecodedStream.error(FaultKind.FETCH_ABORT, FaultOrigin.MISPROGRAMMED,
                    String.format("device table entry fetch at 0x%x is not RAM", addr));
        }
        long w0 = mem.readLong(addr + DeviceTableEntry.WORD0);
        long w1 = mem.readLong(addr + DeviceTableEntry.WORD1);
        if (!DeviceTableEntry.valid(w0)) {
            return DecodedStream.error(FaultKind.STREAM_DISABLED, FaultOrigin.ACCESS, "DTE.V is 0: the stream is disabled");
        }
        int tg = DeviceTableEntry.tg(w0);
        if (tg != DeviceTableEntry.TG_4K) {
            return DecodedStream.error(FaultKind.BAD_CONFIG, FaultOrigin.MISPROGRAMMED,
                    "DTE.TG " + tg + ": only the 4 KiB granule is implemented (IDR)");
        }
        int ias = DeviceTableEntry.ias(w0);
        int oas = DeviceTableEntry.oas(w0);
        if (ias > maxIas || oas > maxOas || !LpaeFormat.isEncodableAddressSize(oas)) {
            return DecodedStream.error(FaultKind.BAD_CONFIG, FaultOrigin.MISPROGRAMMED, String.format(
                    "DTE.IAS %d / OAS %d beyond the IDR's %d / %d or not encodable", ias, oas, maxIas, maxOas));
        }
        try {
            LpaeTranslationConfig cfg = LpaeTranslationConfig.builder(LpaeStage.STAGE1, LpaeGranule.G4K)
                    .inputSize(ias).outputSize(oas).ttb(DeviceTableEntry.ttb(w1))
                    .accessFlagFaultDisabled(DeviceTableEntry.affd(w0)).build();
            return DecodedStream.valid(DeviceTableEntry.did(w0), cfg);
        } catch (IllegalArgumentException e) {
            return DecodedStream.error(FaultKind.BAD_CONFIG, FaultOrigin.MISPROGRAMMED, "DTE: " + e.getMessage());
        }
    }
}
