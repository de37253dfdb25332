package com.example.vtd.internal.format;

/**
 * How an iommulab stream ID names a PCI requester, the only mapping this model needs: VT-d
 * identifies a request by its source-id, the PCI requester ID {@code bus[15:8] devfn[7:0]}
 * (VT-d spec §3.4.1, "Root-Entry &amp; Context-Entry"), inside one PCI segment, and each
 * segment has its own remapping unit (a DRHD of the ACPI DMAR table).
 *
 * <pre>
 *   stream ID  = segment &lt;&lt; 16 | bus &lt;&lt; 8 | devfn      (any non-negative int)
 *   devfn      = device &lt;&lt; 3 | function
 * </pre>
 *
 * So stream 0x0321 is 0000:03:04.1 and stream 0x1_0010 is 0001:00:02.0. Every non-negative
 * stream ID maps to exactly one (segment, source-id) pair and back: the model accepts every
 * device. Immutable helpers, no state.
 */
public final class SourceId {
    private SourceId() {
    }

    /** The PCI segment, and so the remapping unit, of a stream (bits [30:16]). */
    public static int segment(int streamId) {
        check(streamId);
        return streamId >>> 16;
    }

    /** The requester ID inside the segment: {@code bus << 8 | devfn}. */
    public static int sourceId(int streamId) {
        check(streamId);
        return streamId & 0xffff;
    }

    public static int bus(int sourceId) {
        return (sourceId >>> 8) & 0xff;
    }

    public static int devfn(int sourceId) {
        return sourceId & 0xff;
    }

    /** The stream ID of {@code sourceId} in {@code segment}. */
    public static int streamId(int segment, int sourceId) {
        return segment << 16 | (sourceId & 0xffff);
    }

    /** Linux's way of printing a requester: {@code bb:dd.f}. */
    public static String bdf(int sourceId) {
        return String.format("%02x:%02x.%d", bus(sourceId), devfn(sourceId) >>> 3, devfn(sourceId) & 7);
    }

    private static void check(int streamId) {
        if (streamId < 0) {
            throw new IllegalArgumentException("stream ID must not be negative, got " + streamId);
        }
    }
}
