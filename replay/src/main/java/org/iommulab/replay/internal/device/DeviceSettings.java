package org.iommulab.replay.internal.device;

/**
 * The settings a device file may give one device (or every device, as defaults). Null fields
 * are unset and fall back: a device's own setting, then {@code default.*}, then the built-in
 * default documented in {@link DeviceConfig}. Immutable.
 *
 * @param iommu false to keep the device off the IOMMU (an identity domain, or no IOMMU in its
 *        path): it is replayed through dma-direct on every backend
 * @param msi when the device enables MSI: {@code auto} (when the trace shows its doorbell
 *        mapped), {@code probe} (before its first call) or {@code off}
 */
public record DeviceSettings(
        String name,
        Long mask,
        Long maxSegment,
        Long boundary,
        Long minAlign,
        Long busLimit,
        Boolean coherent,
        Boolean trusted,
        Boolean pci,
        int[] streamIds,
        Boolean iommu,
        String msi) {

    static final DeviceSettings EMPTY = new DeviceSettings(null, null, null, null, null, null, null, null, null, null, null,
            null);

    /** MSI is enabled when the trace shows the doorbell mapped. */
    public static final String MSI_AUTO = "auto";
    /** MSI is enabled before the device's first call (its driver's probe). */
    public static final String MSI_PROBE = "probe";
    /** MSI is never enabled. */
    public static final String MSI_OFF = "off";

    public DeviceSettings {
        streamIds = streamIds == null ? null : streamIds.clone();
    }

    /** The settings without the fields the first versions had not: iommu and msi unset. */
    public DeviceSettings(String name, Long mask, Long maxSegment, Long boundary, Long minAlign, Long busLimit,
            Boolean coherent, Boolean trusted, Boolean pci, int[] streamIds) {
        this(name, mask, maxSegment, boundary, minAlign, busLimit, coherent, trusted, pci, streamIds, null, null);
    }

    @Override
    public int[] streamIds() {
        return streamIds == null ? null : streamIds.clone();
    }

    /** This settings object with {@code key} set to {@code value} (parsed), for the file parser. */
    DeviceSettings with(String key, String value) {
        String n = name;
        Long m = mask;
        Long seg = maxSegment;
        Long b = boundary;
        Long ma = minAlign;
        Long bl = busLimit;
        Boolean c = coherent;
        Boolean t = trusted;
        Boolean p = pci;
        int[] ids = streamIds;
        Boolean io = iommu;
        String ms = msi;
        switch (key) {
            case "name": n = value; break;
            case "mask": m = ConfigValues.mask(value); break;
            case "maxseg": seg = ConfigValues.size(value); break;
            case "boundary": b = ConfigValues.mask(value); break;
            case "minalign": ma = ConfigValues.mask(value); break;
            case "buslimit": bl = ConfigValues.mask(value); break;
            case "coherent": c = ConfigValues.bool(value); break;
            case "trusted": t = ConfigValues.bool(value); break;
            case "pci": p = ConfigValues.bool(value); break;
            case "sid": ids = ConfigValues.ids(value); break;
            case "iommu": io = ConfigValues.onOff(value); break;
            case "msi": ms = ConfigValues.msi(value); break;
            default:
                throw new IllegalArgumentException("unknown device setting '" + key
                        + "' (known: name, mask, maxseg, boundary, minalign, buslimit, coherent, trusted, pci, sid, iommu, msi)");
        }
        return new DeviceSettings(n, m, seg, b, ma, bl, c, t, p, ids, io, ms);
    }

    /** Each field of {@code this}, or of {@code fallback} where this one is unset. */
    DeviceSettings orElse(DeviceSettings fallback) {
        return new DeviceSettings(
                name != null ? name : fallback.name,
                mask != null ? mask : fallback.mask,
                maxSegment != null ? maxSegment : fallback.maxSegment,
                boundary != null ? boundary : fallback.boundary,
                minAlign != null ? minAlign : fallback.minAlign,
                busLimit != null ? busLimit : fallback.busLimit,
                coherent != null ? coherent : fallback.coherent,
                trusted != null ? trusted : fallback.trusted,
                pci != null ? pci : fallback.pci,
                streamIds != null ? streamIds : fallback.streamIds,
                iommu != null ? iommu : fallback.iommu,
                msi != null ? msi : fallback.msi);
    }
}
