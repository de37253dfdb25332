package org.iommulab.devices.internal.nvme;

import org.iommulab.api.dma.SgTable;
import org.iommulab.api.platform.MemoryAccess;

/**
 * The driver's side of PRPs, Linux {@code nvme_pci_setup_prps()} (drivers/nvme/host/pci.c):
 * walks the DMA view of a mapped request in 4 KiB controller pages. PRP1 is the first
 * segment's address (with its offset); PRP2 is the second page, or, for more than two pages,
 * the bus address of a PRP list written into a coherent list page. Every segment but the first
 * must start on a page and every segment but the last end on one (the block layer's virt
 * boundary guarantees it, and min_align_mask keeps it true through a bounce buffer); a layout
 * that breaks this is Linux's "Invalid SGL for payload".
 */
final class PrpBuilder {
    /** PRP entries one list page holds; this driver does not chain list pages. */
    static final int LIST_ENTRIES = NvmeFormat.PAGE / 8;

    private PrpBuilder() {
    }

    /** PRP1, PRP2, or the reason the request cannot be described. */
    record Prps(long prp1, long prp2, String error) {
    }

    /**
     * @param listCpu CPU address of the coherent PRP list page
     * @param listBus its bus address
     */
    static Prps build(SgTable sg, int length, MemoryAccess cpu, long listCpu, long listBus) {
        final int page = NvmeFormat.PAGE;
        int seg = 0;
        long dmaAddr = sg.dmaAddress(0);
        long dmaLen = sg.dmaLength(0);
        int offset = (int) (dmaAddr & (page - 1));
        long prp1 = dmaAddr;
        long left = length - (page - offset);
        if (left <= 0) {
            return new Prps(prp1, 0, null);
        }
        dmaLen -= page - offset;
        if (dmaLen > 0) {
            dmaAddr += page - offset;
        } else if (dmaLen == 0 && sg.nents() > 1) {
            seg++;
            dmaAddr = sg.dmaAddress(seg);
            dmaLen = sg.dmaLength(seg);
        } else {
            return invalid(sg, length, "segment 0 ends before its first page does");
        }
        if (left <= page) {
            return new Prps(prp1, dmaAddr, null);
        }
        int i = 0;
        for (;;) {
            if (i == LIST_ENTRIES) {
                return invalid(sg, length, "more than " + LIST_ENTRIES + " PRP entries");
            }
            cpu.writeLong(listCpu + 8L * i++, dmaAddr);
            dmaLen -= page;
            dmaAddr += page;
            left -= page;
            if (left <= 0) {
                break;
            }
            if (dmaLen > 0) {
                continue;
            }
            if (dmaLen < 0 || seg + 1 >= sg.nents()) {
                return invalid(sg, length, "segment " + seg + " does not end on a page");
            }
            seg++;
            dmaAddr = sg.dmaAddress(seg);
            dmaLen = sg.dmaLength(seg);
        }
        return new Prps(prp1, listBus, null);
    }

    private static Prps invalid(SgTable sg, int length, String why) {
        return new Prps(0, 0, "Invalid SGL for payload:" + length + " nents:" + sg.nents() + " (" + why + ")");
    }
}
