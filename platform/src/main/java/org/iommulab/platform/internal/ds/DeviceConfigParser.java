package org.iommulab.platform.internal.ds;

import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import org.iommulab.api.config.ConfigException;
import org.iommulab.api.config.ConfigReader;
import org.iommulab.api.dma.DmaMasks;
import org.iommulab.api.platform.DeviceDescriptor;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;

/**
 * Reads an {@code org.iommulab.device} configuration into a {@link DeviceSpec}. Works on the raw
 * properties rather than the annotation type so that a configuration file may write numbers as
 * Integer, Long or strings, masks in hex ({@code "0xffffffff"}) and stream IDs as a list or a
 * comma-separated string, sizes with K, M or G. Every error is a {@link ConfigException} naming
 * the configuration, the property, the value and the rule; the defaults are the metatype's
 * ({@link DeviceConfig}).
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

    /**
     * @throws ConfigException naming the configuration (its {@code service.pid}, or the factory
     *     PID), the first key whose value breaks its rule, the value and the rule
     */
    public static DeviceSpec parse(Map<String, ?> props) {
        Object servicePid = props.get("service.pid");
        ConfigReader r = new ConfigReader(servicePid == null ? DeviceConfigComponent.PID : servicePid.toString(), props,
                DeviceConfig.class);
        String name = r.string(NAME);
        if (!name.matches("[A-Za-z0-9_.:-]+")) {
            throw r.fail(NAME, "a device name of letters, digits and _.:- (for example nic1)");
        }
        int maskBits = r.integer(DMA_MASK_BITS, 1, 64);
        int limitBits = r.integer(BUS_LIMIT_BITS, 0, 64);
        String target = r.string(BACKEND_TARGET);
        if (!target.isEmpty()) {
            try {
                FrameworkUtil.createFilter(target);
            } catch (InvalidSyntaxException bad) {
                throw r.fail(BACKEND_TARGET, "empty, or an LDAP filter such as (iommulab.backend.name=swiotlb)");
            }
        }
        DeviceDescriptor.Builder b = DeviceDescriptor.builder(name)
                .streamIds(streamIds(r))
                .dmaMask(DmaMasks.bits(maskBits))
                .busDmaLimit(limitBits == 0 ? 0 : DmaMasks.bits(limitBits))
                .coherent(r.bool(COHERENT))
                .trusted(r.bool(TRUSTED))
                .pci(r.bool(PCI))
                .maxSegmentSize(r.size(MAX_SEGMENT_SIZE, 1, 0xffff_ffffL))
                .segmentBoundaryMask(r.mask(SEGMENT_BOUNDARY_MASK, false, 12))
                .minAlignMask(r.mask(MIN_ALIGN_MASK, true, 1));
        return new DeviceSpec(b.build(), target.isEmpty() ? null : target);
    }

    /** Stream IDs: an array or collection of numbers or strings, or one string "0x10, 0x11"; default {0}. */
    private static int[] streamIds(ConfigReader r) {
        String rule = "one or more stream IDs 0..2147483647, decimal or 0x hex, separated by commas";
        Object v = r.raw(STREAM_IDS);
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
            throw r.fail(STREAM_IDS, rule);
        }
        int[] out = new int[items.size()];
        for (int i = 0; i < out.length; i++) {
            Long id = streamId(items.get(i));
            if (id == null || id < 0 || id > Integer.MAX_VALUE) {
                throw r.fail(STREAM_IDS, rule);
            }
            out[i] = id.intValue();
        }
        return out;
    }

    private static Long streamId(Object o) {
        if (o instanceof Byte || o instanceof Short || o instanceof Integer || o instanceof Long) {
            return ((Number) o).longValue();
        }
        if (o instanceof String s) {
            String t = s.trim().replace("_", "");
            try {
                return t.startsWith("0x") || t.startsWith("0X") ? Long.parseLong(t.substring(2), 16) : Long.parseLong(t);
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }
}
