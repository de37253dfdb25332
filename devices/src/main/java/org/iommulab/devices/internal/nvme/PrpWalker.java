package org.iommulab.devices.internal.nvme;

import org.iommulab.api.platform.BusMaster;

/**
 * The controller's side of PRPs (NVMe 1.4 §4.3): turns PRP1, PRP2 and a transfer length into
 * the bus ranges of the data, reading PRP lists through the bus master. PRP1 may carry an
 * offset (dword aligned); every later entry must be page aligned, else the command fails with
 * "PRP Offset Invalid" — what a controller does when a bounce buffer lost the offset bits
 * min_align_mask should have kept. A list page's last entry chains to the next list page.
 */
final class PrpWalker {
    /** A walk's result: the ranges, or a status code other than success. */
    static final class Walk {
        final long[] addr;
        final int[] len;
        final int count;
        final int status;

        Walk(long[] addr, int[] len, int count, int status) {
            this.addr = addr;
            this.len = len;
            this.count = count;
            this.status = status;
        }
    }

    private PrpWalker() {
    }

    /** @throws org.iommulab.api.platform.DmaFaultException when a PRP list read is denied */
    static Walk walk(BusMaster bus, long prp1, long prp2, int length) {
        int pages = 1 + (length + NvmeFormat.PAGE - 1) / NvmeFormat.PAGE;
        long[] addr = new long[pages];
        int[] len = new int[pages];
        if ((prp1 & 3) != 0) {
            return new Walk(addr, len, 0, NvmeFormat.SC_INVALID_FIELD);
        }
        int first = (int) Math.min(length, NvmeFormat.PAGE - (prp1 & (NvmeFormat.PAGE - 1)));
        addr[0] = prp1;
        len[0] = first;
        int n = 1;
        int left = length - first;
        if (left == 0) {
            return new Walk(addr, len, n, NvmeFormat.SC_SUCCESS);
        }
        if (left <= NvmeFormat.PAGE) {
            if ((prp2 & (NvmeFormat.PAGE - 1)) != 0) {
                return new Walk(addr, len, n, NvmeFormat.SC_INVALID_PRP_OFFSET);
            }
            addr[n] = prp2;
            len[n++] = left;
            return new Walk(addr, len, n, NvmeFormat.SC_SUCCESS);
        }
        if ((prp2 & 7) != 0) {
            return new Walk(addr, len, n, NvmeFormat.SC_INVALID_PRP_OFFSET);
        }
        long cursor = prp2;
        while (left > 0) {
            if ((cursor & (NvmeFormat.PAGE - 1)) == NvmeFormat.PAGE - 8 && left > NvmeFormat.PAGE) {
                // The last entry of a list page, with more than one page to come: it points to the next list.
                cursor = bus.readLong(cursor);
                if ((cursor & 7) != 0) {
                    return new Walk(addr, len, n, NvmeFormat.SC_INVALID_PRP_OFFSET);
                }
                continue;
            }
            long entry = bus.readLong(cursor);
            cursor += 8;
            if ((entry & (NvmeFormat.PAGE - 1)) != 0) {
                return new Walk(addr, len, n, NvmeFormat.SC_INVALID_PRP_OFFSET);
            }
            int l = Math.min(left, NvmeFormat.PAGE);
            addr[n] = entry;
            len[n++] = l;
            left -= l;
        }
        return new Walk(addr, len, n, NvmeFormat.SC_SUCCESS);
    }
}
