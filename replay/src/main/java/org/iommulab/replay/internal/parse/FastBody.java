package org.iommulab.replay.internal.parse;

import java.nio.charset.StandardCharsets;

import static org.iommulab.replay.internal.parse.BodyWords.*;
import static org.iommulab.replay.internal.parse.ByteNumbers.hex;
import static org.iommulab.replay.internal.parse.ByteScan.*;

import org.iommulab.api.dma.DmaDirection;

/**
 * {@link BodyParser}, on bytes, for {@link FastLine}: the fields part of an event line of the
 * common formats (dma_map_*, dma_unmap_*, dma_sync_single_*, dma_alloc, dma_free, iommu:map,
 * iommu:unmap) read from its words ({@link BodyWords}) into the event builder; false where
 * BodyParser would throw or read otherwise, and the line is parsed as a string. The device,
 * direction and attributes of a line with a kept shape are the shape's (read from equal
 * bytes). Mutable and reused: one per FastLine.
 */
final class FastBody {
    private static final byte[] IOMMU = ascii("IOMMU:");

    private final TraceEvent.Builder b;
    private final BodyWords w;
    private final AsciiCache devices = new AsciiCache();

    FastBody(TraceEvent.Builder b, BodyWords w) {
        this.b = b;
        this.w = w;
    }

    /**
     * The fields of a {@code kind} event whose fields part is {@code l[body, bodyEnd)} into the
     * builder (whose common part the caller reset); {@code hit} is the line's kept shape, or
     * null. False when the line is the string parser's.
     */
    boolean read(byte[] l, EventKind kind, int body, int bodyEnd, LineShapes.Shape hit) {
        switch (kind.format()) {
            case MAP: return map(l, body, bodyEnd, hit);
            case UNMAP: return unmap(l, body, bodyEnd, hit);
            case SYNC_SINGLE: return syncSingle(l, body, bodyEnd, hit);
            case ALLOC: return alloc(l, body, bodyEnd, hit);
            case FREE: return free(l, body, bodyEnd, hit);
            case IOMMU_MAP: return iommuMap(l, body, bodyEnd, hit);
            case IOMMU_UNMAP: return iommuUnmap(l, body, bodyEnd, hit);
            default: return false;
        }
    }

    /** BodyParser.deviceAndDir: false where it would throw (or the direction is a number). */
    private boolean deviceAndDir(byte[] l, int from, int to, int[] template, LineShapes.Shape hit) {
        if (hit != null) { // read from the same bytes when the shape was kept
            b.device = hit.device;
            b.dir = hit.dir;
            return true;
        }
        if (!w.split(l, from, to, template) || w.words == 0) {
            return false;
        }
        int s = w.starts[0];
        int e = w.ends[0];
        if (w.firstHasEquals) {
            return false;
        }
        int dir = w.at(K_DIR);
        if (dir < 0) {
            return false;
        }
        DmaDirection d = direction(l, w.valueStart(dir, DIR), w.ends[dir]);
        if (d == null) {
            return false;
        }
        b.device = devices.get(l, s, e);
        b.dir = d;
        return true;
    }

    private boolean attrs(byte[] l, LineShapes.Shape hit) {
        if (hit != null) { // read from the same bytes when the shape was kept
            b.attrs = hit.attrs;
            b.unknownAttrs = hit.unknownAttrs;
            return true;
        }
        int a = w.at(K_ATTRS);
        if (a < 0) {
            return false;
        }
        int s = w.valueStart(a, ATTRS);
        if (s == w.ends[a]) {
            b.attrs = 0;
            b.unknownAttrs = null;
            return true;
        }
        DmaSymbols.Attrs decoded = DmaSymbols.attrs(new String(l, s, w.ends[a] - s, StandardCharsets.US_ASCII));
        b.attrs = decoded.bits();
        b.unknownAttrs = decoded.unknown();
        return true;
    }

    /** dma_addr and a size above 0. */
    private boolean addrAndSize() {
        b.dmaAddr = w.hexField(K_DMA_ADDR);
        b.size = w.decField(K_SIZE);
        return b.dmaAddr != BAD && b.size != BAD && b.size != 0;
    }

    private boolean map(byte[] l, int from, int to, LineShapes.Shape hit) {
        if (!deviceAndDir(l, from, to, BodyWords.MAP, hit) || !addrAndSize()) {
            return false;
        }
        b.physAddr = w.hexField(K_PHYS_ADDR);
        return b.physAddr != BAD && attrs(l, hit);
    }

    private boolean unmap(byte[] l, int from, int to, LineShapes.Shape hit) {
        return deviceAndDir(l, from, to, BodyWords.UNMAP, hit) && addrAndSize() && attrs(l, hit);
    }

    private boolean syncSingle(byte[] l, int from, int to, LineShapes.Shape hit) {
        return deviceAndDir(l, from, to, BodyWords.SYNC_SINGLE, hit) && addrAndSize();
    }

    private boolean alloc(byte[] l, int from, int to, LineShapes.Shape hit) {
        return deviceAndDir(l, from, to, null, hit) && addrAndSize() && w.at(K_VIRT_ADDR) >= 0 && w.at(K_FLAGS) >= 0
                && attrs(l, hit);
    }

    private boolean free(byte[] l, int from, int to, LineShapes.Shape hit) {
        return deviceAndDir(l, from, to, null, hit) && addrAndSize() && w.at(K_VIRT_ADDR) >= 0 && attrs(l, hit);
    }

    /** BodyParser.iommu and iovaRange: "IOMMU:" then "iova=0x.. - 0x.." of the size printed. */
    private boolean iommuRange(byte[] l, int from, int to, int[] template, LineShapes.Shape hit) {
        if (hit == null && (to - from < IOMMU.length || !regionEquals(l, from, IOMMU)
                || !w.split(l, from + IOMMU.length, to, template))) {
            return false;
        }
        b.iova = w.hexField(K_IOVA);
        if (b.iova == BAD || w.words < 3 || w.ends[1] - w.starts[1] != 1 || l[w.starts[1]] != '-') {
            return false;
        }
        // the range end: read by restore when the line has a kept shape (the same value)
        long end = hit != null ? w.rawHex() : hex(l, w.starts[2], w.ends[2]);
        b.size = w.decField(K_SIZE);
        return end != BAD && b.size != BAD && end - b.iova == b.size;
    }

    private boolean iommuMap(byte[] l, int from, int to, LineShapes.Shape hit) {
        if (!iommuRange(l, from, to, BodyWords.IOMMU_MAP, hit)) {
            return false;
        }
        b.physAddr = w.hexField(K_PADDR);
        return b.physAddr != BAD;
    }

    private boolean iommuUnmap(byte[] l, int from, int to, LineShapes.Shape hit) {
        if (!iommuRange(l, from, to, BodyWords.IOMMU_UNMAP, hit)) {
            return false;
        }
        b.unmappedSize = w.decField(K_UNMAPPED_SIZE);
        return b.unmappedSize != BAD;
    }
}
