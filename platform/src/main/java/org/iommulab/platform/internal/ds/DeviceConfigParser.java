package org.iommulab.platform.internal.ds;

import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import org.iommulab.api.dma.DmaMasks;
import org.iommulab.api.platform.DeviceDescriptor;

/**
 * Reads an {@code org.iommulab.device} configuration into a {@link DeviceSpec}. Works on the raw
 * properties rather than the annotation type so that a configuration file may write numbers as
 * Integer, Long or strings, masks in hex ({@code "0xffffffff"}) and stream IDs as a list or a
 * comma-separated string. Every error names the property and the value.
 */
public final class DeviceConfigParser {
    public static final String NAME = "name";
    public static final String STREAM_IDS = "streamIds";
    public static final String DMA_MASK_BITS = "dmaMaskBits";
    public static final String BUS_LIMIT_BITS = "busLimitBits";
    public static final String COHERENT = "coherent";
    public static final String TRUSTED = "trusted";
    public static final String PCI = "pci";
    public static final String MAX_SEGMENT_SIZE = "maxSegmentSize";
    public static final String SEGMENT_BOUNDARY_MASK = "segmentBoundaryMask";
    public static final String MIN_ALIGN_MASK = "minAlignMask";
    public static final String BACKEND_TARGET = "backend.target";

    private DeviceConfigParser() {
    }

    /** @throws IllegalArgumentException naming the first property that is wrong */
    public static DeviceSpec parse(Map<String, ?> props) {
        Object rawName = props.get(NAME);
        if (!(rawName instanceof String) || ((String) rawName).isBlank()) {
            throw new IllegalArgumentException("org.iommulab.device configuration " + pid(props)
                    + ": property 'name' (the device name) is required, got " + rawName);
        }
        String name = ((String) rawName).trim();
        String where = "org.iommulab.device '" + name + "'";
        int maskBits = intValue(where, props, DMA_MASK_BITS, 32);
        if (maskBits < 1 || maskBits > 64) {
            throw new IllegalArgumentException(where + ": dmaMaskBits must be 1..64, got " + maskBits);
        }
        int limitBits = intValue(where, props, BUS_LIMIT_BITS, 0);
        if (limitBits < 0 || limitBits > 64) {
            throw new IllegalArgumentException(where + ": busLimitBits must be 0 (none) or 1..64, got " + limitBits);
        }
        DeviceDescriptor.Builder b = DeviceDescriptor.builder(name)
                .streamIds(intArray(where, props, STREAM_IDS))
                .dmaMask(DmaMasks.bits(maskBits))
                .busDmaLimit(limitBits == 0 ? 0 : DmaMasks.bits(limitBits))
                .coherent(boolValue(where, props, COHERENT, true))
                .trusted(boolValue(where, props, TRUSTED, true))
                .pci(boolValue(where, props, PCI, false))
                .maxSegmentSize(longValue(where, props, MAX_SEGMENT_SIZE, DeviceDescriptor.DEFAULT_MAX_SEGMENT_SIZE))
                .segmentBoundaryMask(longValue(where, props, SEGMENT_BOUNDARY_MASK, DeviceDescriptor.DEFAULT_SEGMENT_BOUNDARY))
                .minAlignMask(longValue(where, props, MIN_ALIGN_MASK, 0));
        Object target = props.get(BACKEND_TARGET);
        if (target != null && !(target instanceof String)) {
            throw new IllegalArgumentException(where + ": backend.target must be an LDAP filter string, got " + target);
        }
        String filter = target == null || ((String) target).isBlank() ? null : ((String) target).trim();
        return new DeviceSpec(b.build(), filter);
    }

    private static String pid(Map<String, ?> props) {
        Object pid = props.get("service.pid");
        return pid == null ? "(no pid)" : pid.toString();
    }

    static int intValue(String where, Map<String, ?> props, String key, int dflt) {
        long v = longValue(where, props, key, dflt);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(where + ": " + key + " must fit an int, got " + v);
        }
        return (int) v;
    }

    static long longValue(String where, Map<String, ?> props, String key, long dflt) {
        Object v = props.get(key);
        if (v == null) {
            return dflt;
        }
        return toLong(where, key, v);
    }

    private static long toLong(String where, String key, Object v) {
        if (v instanceof Byte || v instanceof Short || v instanceof Integer || v instanceof Long) {
            return ((Number) v).longValue();
        }
        if (v instanceof String) {
            String s = ((String) v).trim().replace("_", "");
            try {
                if (s.startsWith("0x") || s.startsWith("0X")) {
                    return Long.parseUnsignedLong(s.substring(2), 16);
                }
                return Long.parseLong(s);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(where + ": " + key + " must be a number (decimal or 0x hex), got '" + v + "'");
            }
        }
        throw new IllegalArgumentException(where + ": " + key + " must be a number, got " + v + " (" + v.getClass().getSimpleName() + ")");
    }

    static boolean boolValue(String where, Map<String, ?> props, String key, boolean dflt) {
        Object v = props.get(key);
        if (v == null) {
            return dflt;
        }
        if (v instanceof Boolean) {
            return (Boolean) v;
        }
        if (v instanceof String) {
            String s = ((String) v).trim();
            if (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false")) {
                return Boolean.parseBoolean(s);
            }
        }
        throw new IllegalArgumentException(where + ": " + key + " must be true or false, got " + v);
    }

    /** Stream IDs: an array or collection of numbers or strings, or one string "0x10, 0x11"; default {0}. */
    static int[] intArray(String where, Map<String, ?> props, String key) {
        Object v = props.get(key);
        if (v == null) {
            return new int[] {0};
        }
        List<Object> items = new ArrayList<>();
        if (v.getClass().isArray()) {
            for (int i = 0; i < Array.getLength(v); i++) {
                items.add(Array.get(v, i));
            }
        } else if (v instanceof Collection) {
            items.addAll((Collection<?>) v);
        } else if (v instanceof String) {
            for (String part : ((String) v).split("[,\\s]+")) {
                if (!part.isEmpty()) {
                    items.add(part);
                }
            }
        } else {
            items.add(v);
        }
        if (items.isEmpty()) {
            throw new IllegalArgumentException(where + ": " + key + " must name at least one stream ID");
        }
        int[] out = new int[items.size()];
        for (int i = 0; i < out.length; i++) {
            long id = toLong(where, key, items.get(i));
            if (id < 0 || id > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(where + ": stream ID must be 0.." + Integer.MAX_VALUE + ", got " + id);
            }
            out[i] = (int) id;
        }
        return out;
    }
}
