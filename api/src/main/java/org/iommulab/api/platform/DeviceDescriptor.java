package org.iommulab.api.platform;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.iommulab.api.dma.DmaMasks;

/**
 * What a simulated device is, as firmware and its bus describe it to Linux: name, stream IDs,
 * the initial DMA mask, the bus limit, the DMA range map, coherency, trust, and the
 * {@code dma_parms} limits. Immutable; the mask a driver later sets lives in its DMA API.
 * Defaults follow Linux: a 32-bit mask, no bus limit, max segment size 64 KiB, segment
 * boundary {@code ULONG_MAX}, no min_align_mask, coherent, trusted.
 */
public final class DeviceDescriptor {
    /** Linux's default {@code dma_get_max_seg_size()} without {@code dma_parms}: {@code SZ_64K}. */
    public static final long DEFAULT_MAX_SEGMENT_SIZE = 64 * 1024;
    /** Linux's default {@code dma_get_seg_boundary()}: {@code ULONG_MAX}. */
    public static final long DEFAULT_SEGMENT_BOUNDARY = ~0L;

    private final String name;
    private final int[] streamIds;
    private final long dmaMask;
    private final long busDmaLimit;
    private final List<DmaRange> dmaRanges;
    private final boolean coherent;
    private final boolean trusted;
    private final boolean pci;
    private final long maxSegmentSize;
    private final long segmentBoundaryMask;
    private final long minAlignMask;

    private DeviceDescriptor(Builder b) {
        name = b.name;
        streamIds = b.streamIds.clone();
        dmaMask = b.dmaMask;
        busDmaLimit = b.busDmaLimit;
        dmaRanges = Collections.unmodifiableList(new ArrayList<>(b.dmaRanges));
        coherent = b.coherent;
        trusted = b.trusted;
        pci = b.pci;
        maxSegmentSize = b.maxSegmentSize;
        segmentBoundaryMask = b.segmentBoundaryMask;
        minAlignMask = b.minAlignMask;
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** A builder that starts from this descriptor. */
    public Builder toBuilder() {
        Builder b = new Builder(name).streamIds(streamIds).dmaMask(dmaMask).busDmaLimit(busDmaLimit)
                .coherent(coherent).trusted(trusted).pci(pci).maxSegmentSize(maxSegmentSize)
                .segmentBoundaryMask(segmentBoundaryMask).minAlignMask(minAlignMask);
        dmaRanges.forEach(b::dmaRange);
        return b;
    }

    public String name() {
        return name;
    }

    /** The stream IDs (SMMU StreamID / requester ID) the device's accesses carry; never empty. */
    public int[] streamIds() {
        return streamIds.clone();
    }

    /** The first stream ID, used unless a bus master picks another. */
    public int primaryStreamId() {
        return streamIds[0];
    }

    /** The DMA mask before a driver sets one ({@code *dev->dma_mask} at probe). */
    public long dmaMask() {
        return dmaMask;
    }

    /** Linux {@code dev->bus_dma_limit}: 0 for none. */
    public long busDmaLimit() {
        return busDmaLimit;
    }

    /** Linux {@code dev->dma_range_map}: empty for an identity mapping. */
    public List<DmaRange> dmaRanges() {
        return dmaRanges;
    }

    /** Linux {@code dev_is_dma_coherent()}. */
    public boolean coherent() {
        return coherent;
    }

    /** False for an external-facing device ({@code dev_is_untrusted()}): strict IOMMU mode and bouncing. */
    public boolean trusted() {
        return trusted;
    }

    /** True for a PCI device, which iommu-dma tries to keep below 4 GiB first. */
    public boolean pci() {
        return pci;
    }

    /** Linux {@code dma_get_max_seg_size()}. */
    public long maxSegmentSize() {
        return maxSegmentSize;
    }

    /** Linux {@code dma_get_seg_boundary()}: a DMA segment must not cross a multiple of mask+1. */
    public long segmentBoundaryMask() {
        return segmentBoundaryMask;
    }

    /** Linux {@code dma_get_min_align_mask()}: low address bits a bounce buffer must preserve. */
    public long minAlignMask() {
        return minAlignMask;
    }

    @Override
    public String toString() {
        return String.format("%s sid=%d mask=0x%x coherent=%s trusted=%s maxseg=0x%x boundary=0x%x minalign=0x%x",
                name, streamIds[0], dmaMask, coherent, trusted, maxSegmentSize, segmentBoundaryMask, minAlignMask);
    }

    /** Builds a {@link DeviceDescriptor}; {@link #build()} checks every field. */
    public static final class Builder {
        private final String name;
        private int[] streamIds = {0};
        private long dmaMask = DmaMasks.bits(32);
        private long busDmaLimit;
        private final List<DmaRange> dmaRanges = new ArrayList<>();
        private boolean coherent = true;
        private boolean trusted = true;
        private boolean pci;
        private long maxSegmentSize = DEFAULT_MAX_SEGMENT_SIZE;
        private long segmentBoundaryMask = DEFAULT_SEGMENT_BOUNDARY;
        private long minAlignMask;

        private Builder(String name) {
            this.name = name;
        }

        public Builder streamIds(int... ids) {
            streamIds = ids == null ? null : ids.clone();
            return this;
        }

        public Builder dmaMask(long mask) {
            dmaMask = mask;
            return this;
        }

        public Builder busDmaLimit(long limit) {
            busDmaLimit = limit;
            return this;
        }

        public Builder dmaRange(DmaRange r) {
            if (r == null) {
                throw new IllegalArgumentException("DMA range must not be null");
            }
            dmaRanges.add(r);
            return this;
        }

        public Builder coherent(boolean c) {
            coherent = c;
            return this;
        }

        public Builder trusted(boolean t) {
            trusted = t;
            return this;
        }

        public Builder pci(boolean p) {
            pci = p;
            return this;
        }

        public Builder maxSegmentSize(long size) {
            maxSegmentSize = size;
            return this;
        }

        public Builder segmentBoundaryMask(long mask) {
            segmentBoundaryMask = mask;
            return this;
        }

        public Builder minAlignMask(long mask) {
            minAlignMask = mask;
            return this;
        }

        /** @throws IllegalArgumentException naming the first field that is wrong */
        public DeviceDescriptor build() {
            if (name == null || name.isBlank() || !name.matches("[A-Za-z0-9_.:-]+")) {
                throw new IllegalArgumentException("device name must be non-empty [A-Za-z0-9_.:-], got '" + name + "'");
            }
            if (streamIds == null || streamIds.length == 0) {
                throw new IllegalArgumentException(name + ": a device needs at least one stream ID");
            }
            for (int sid : streamIds) {
                if (sid < 0) {
                    throw new IllegalArgumentException(name + ": stream ID must not be negative, got " + sid);
                }
            }
            if (!DmaMasks.isValidMask(dmaMask)) {
                throw new IllegalArgumentException(name + ": DMA mask must be 2^n-1 with n in 1..64, got 0x" + Long.toHexString(dmaMask));
            }
            if (busDmaLimit != 0 && !DmaMasks.isValidMask(busDmaLimit)) {
                throw new IllegalArgumentException(name + ": bus DMA limit must be 0 or 2^n-1, got 0x" + Long.toHexString(busDmaLimit));
            }
            if (maxSegmentSize <= 0 || maxSegmentSize > 0xffff_ffffL) {
                throw new IllegalArgumentException(name + ": max segment size must be 1..4G-1, got " + maxSegmentSize);
            }
            if (!DmaMasks.isValidMask(segmentBoundaryMask) || segmentBoundaryMask < 0xfff && segmentBoundaryMask > 0) {
                throw new IllegalArgumentException(name + ": segment boundary mask must be 2^n-1 of at least a page, got 0x"
                        + Long.toHexString(segmentBoundaryMask));
            }
            if (minAlignMask != 0 && !DmaMasks.isValidMask(minAlignMask)) {
                throw new IllegalArgumentException(name + ": min_align_mask must be 0 or 2^n-1, got 0x" + Long.toHexString(minAlignMask));
            }
            return new DeviceDescriptor(this);
        }
    }
}
