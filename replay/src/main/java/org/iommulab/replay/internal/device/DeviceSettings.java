package org.iommulab.replay.internal.device;

/**
 * The settings a device file may give one device (or every device, as defaults). Null fields
 * are unset and fall back: a device's own setting, then {@code default.*}, then the built-in
 * default documented in {@link DeviceConfig}. Immutable.
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
        int[] streamIds) {

    static final DeviceSettings EMPTY = new DeviceSettings(null, null, null, null, null, null, null, null, null, null);

    public DeviceSettings {
        streamIds = streamIds == null ? null : streamIds.clone();
    }

    @Override
    public int[] streamIds() {
        return streamIds == null ? null : streamIds.clone();
    }

    /** This settings object with {@code key} set to {@code value} (parsed), for the file parser. */
    DeviceSettings with(String key, String value) {
        switch (key) {
            case "name":
                return new DeviceSettings(value, mask, maxSegment, boundary, minAlign, busLimit, coherent, trusted, pci, streamIds);
            case "mask":
                return new DeviceSettings(name, ConfigValues.mask(value), maxSegment, boundary, minAlign, busLimit, coherent, trusted, pci, streamIds);
            case "maxseg":
                return new DeviceSettings(name, mask, ConfigValues.size(value), boundary, minAlign, busLimit, coherent, trusted, pci, streamIds);
            case "boundary":
                return new DeviceSettings(name, mask, maxSegment, ConfigValues.mask(value), minAlign, busLimit, coherent, trusted, pci, streamIds);
            case "minalign":
                return new DeviceSettings(name, mask, maxSegment, boundary, ConfigValues.mask(value), busLimit, coherent, trusted, pci, streamIds);
            case "buslimit":
                return new DeviceSettings(name, mask, maxSegment, boundary, minAlign, ConfigValues.mask(value), coherent, trusted, pci, streamIds);
            case "coherent":
                return new DeviceSettings(name, mask, maxSegment, boundary, minAlign, busLimit, ConfigValues.bool(value), trusted, pci, streamIds);
            case "trusted":
                return new DeviceSettings(name, mask, maxSegment, boundary, minAlign, busLimit, coherent, ConfigValues.bool(value), pci, streamIds);
            case "pci":
                return new DeviceSettings(name, mask, maxSegment, boundary, minAlign, busLimit, coherent, trusted, ConfigValues.bool(value), streamIds);
            case "sid":
                return new DeviceSettings(name, mask, maxSegment, boundary, minAlign, busLimit, coherent, trusted, pci, ConfigValues.ids(value));
            default:
                throw new IllegalArgumentException("unknown device setting '" + key
                        + "' (known: name, mask, maxseg, boundary, minalign, buslimit, coherent, trusted, pci, sid)");
        }
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
                streamIds != null ? streamIds : fallback.streamIds);
    }
}
