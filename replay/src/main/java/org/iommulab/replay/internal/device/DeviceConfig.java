package org.iommulab.replay.internal.device;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;

import org.iommulab.api.dma.DmaMasks;
import org.iommulab.api.platform.DeviceDescriptor;

/**
 * How the devices named in a trace become simulated devices: the device file and the
 * {@code --set} options. One setting per line, {@code key = value}, '#' starts a comment:
 * <pre>
 * # every device (built-in defaults in brackets)
 * default.mask     = 64          # DMA mask: width in bits or hex mask        [64]
 * default.maxseg   = 64K         # dma_get_max_seg_size(); K/M/G suffixes     [64K, Linux's default]
 * default.boundary = 0xffffffff  # dma_get_seg_boundary() mask                [ULONG_MAX]
 * default.minalign = 0xfff       # dma_get_min_align_mask()                   [0]
 * default.buslimit = 32          # bus_dma_limit (0 or a mask)                [0, none]
 * default.coherent = true        # dev_is_dma_coherent()                      [true]
 * default.trusted  = true        # false for external-facing devices          [true]
 * default.pci      = false       # PCI device                                 [true for names like 0000:00:02.0]
 * default.iommu    = on          # off: kept off the IOMMU, replayed on dma-direct [on; off for the IOMMU itself]
 * default.msi      = auto        # auto (doorbell map in the trace), probe, off [auto]
 * streamid.base    = 0x100       # first stream ID for non-PCI devices        [0x100]
 * direct.backend   = direct      # the backend devices kept off the IOMMU use [direct]
 * # one device, by the name the trace prints (dev_name()); ':' needs no escaping
 * device.0000:01:00.0.mask   = 64
 * device.0000:01:00.0.maxseg = 0xffffffff
 * device.ffd00000.usb.sid    = 0x7
 * device.ffd00000.usb.name   = usb0   # simulated device name (an existing one is reused)
 * </pre>
 * This is not {@code java.util.Properties}: the key is everything before the first '=', and the
 * setting is its last dot-separated word, so PCI names need no escaping.
 *
 * <p>Devices kept off the IOMMU: Linux leaves a device in an identity domain, or one no IOMMU
 * sits in front of, on dma-direct; such a device ({@code iommu = off}) is replayed on the
 * {@code direct.backend} in every pass. The IOMMU's own allocations (the SMMU's queues and
 * stream table, allocated with {@code dmam_alloc_coherent(smmu->dev, ...)} through dma-direct,
 * since an IOMMU does not sit behind itself) are recognised by their device name (one that
 * names an SMMU or IOMMU: {@code arm-smmu-v3.0.auto}, {@code 9050000.smmuv3},
 * {@code 2b400000.iommu}) and are kept off the IOMMU unless the file says otherwise.
 *
 * <p>Stream IDs, unless set: a PCI device gets its requester ID ({@code bus << 8 | dev << 3 |
 * fn}, what an SMMU sees as StreamID); others get {@code streamid.base} plus their order of
 * first appearance in the trace; an ID another device already uses moves to the next free one.
 * Names: a trace name is kept when it fits the device-name rules ({@code [A-Za-z0-9_.:-]+}),
 * other characters become '_'; a name an existing platform device already has gets
 * "-replay" appended, unless the device file names that device explicitly.
 */
public final class DeviceConfig {
    static final long DEFAULT_STREAM_ID_BASE = 0x100;
    static final DeviceSettings BUILT_IN = new DeviceSettings(null, DmaMasks.bits(64),
            DeviceDescriptor.DEFAULT_MAX_SEGMENT_SIZE, DeviceDescriptor.DEFAULT_SEGMENT_BOUNDARY, 0L, 0L,
            true, true, null, null, true, DeviceSettings.MSI_AUTO);
    /** The backend devices kept off the IOMMU are replayed on unless {@code direct.backend} says otherwise. */
    public static final String DEFAULT_DIRECT_BACKEND = "direct";
    /** A device name that names an IOMMU itself: its own DMA goes through dma-direct. */
    private static final Pattern IOMMU_NAME = Pattern.compile("(?i).*(smmu|iommu).*");
    private static final Pattern PCI_NAME = Pattern.compile("[0-9a-fA-F]{4,}:([0-9a-fA-F]{2}):([0-9a-fA-F]{2})\\.([0-7])");

    private DeviceSettings defaults = DeviceSettings.EMPTY;
    private final Map<String, DeviceSettings> devices = new HashMap<>();
    private long streamIdBase = DEFAULT_STREAM_ID_BASE;
    private String directBackend = DEFAULT_DIRECT_BACKEND;

    /** A configuration with only the built-in defaults. */
    public DeviceConfig() {
    }

    /**
     * Reads settings from {@code in}; {@code source} names it in errors.
     *
     * @throws IllegalArgumentException naming {@code source:line} for a bad setting; this
     *         configuration is then unchanged
     */
    public DeviceConfig read(Reader in, String source) throws IOException {
        DeviceConfig copy = copy();
        BufferedReader r = new BufferedReader(in);
        String line;
        int no = 0;
        while ((line = r.readLine()) != null) {
            no++;
            int hash = line.indexOf('#');
            String s = (hash >= 0 ? line.substring(0, hash) : line).strip();
            if (s.isEmpty()) {
                continue;
            }
            try {
                copy.apply(s);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(source + ":" + no + ": " + e.getMessage(), e);
            }
        }
        adopt(copy);
        return this;
    }

    /** Applies one {@code key=value} setting (a {@code --set} option). */
    public DeviceConfig set(String setting) {
        DeviceConfig copy = copy();
        copy.apply(setting.strip());
        adopt(copy);
        return this;
    }

    private void apply(String s) {
        int eq = s.indexOf('=');
        if (eq <= 0) {
            throw new IllegalArgumentException("expected key = value, got '" + s + "'");
        }
        String key = s.substring(0, eq).strip();
        String value = s.substring(eq + 1).strip();
        if (key.equals("streamid.base")) {
            streamIdBase = ConfigValues.number(value);
            return;
        }
        if (key.equals("direct.backend")) {
            if (value.isEmpty()) {
                throw new IllegalArgumentException("direct.backend needs a backend name");
            }
            directBackend = value;
            return;
        }
        if (key.startsWith("default.")) {
            defaults = defaults.with(key.substring("default.".length()), value);
            return;
        }
        if (key.startsWith("device.")) {
            int dot = key.lastIndexOf('.');
            String device = key.substring("device.".length(), Math.max(dot, "device.".length()));
            if (dot <= "device.".length() || device.isEmpty()) {
                throw new IllegalArgumentException("expected device.<trace-name>.<setting>, got '" + key + "'");
            }
            String setting = key.substring(dot + 1);
            devices.put(device, devices.getOrDefault(device, DeviceSettings.EMPTY).with(setting, value));
            return;
        }
        throw new IllegalArgumentException("unknown key '" + key
                + "' (expected default.*, device.*.*, streamid.base or direct.backend)");
    }

    private DeviceConfig copy() {
        DeviceConfig c = new DeviceConfig();
        c.defaults = defaults;
        c.devices.putAll(devices);
        c.streamIdBase = streamIdBase;
        c.directBackend = directBackend;
        return c;
    }

    private void adopt(DeviceConfig c) {
        defaults = c.defaults;
        devices.clear();
        devices.putAll(c.devices);
        streamIdBase = c.streamIdBase;
        directBackend = c.directBackend;
    }

    /** The settings for the trace device {@code traceName}: its own, then defaults, then built-in. */
    public DeviceSettings settings(String traceName) {
        DeviceSettings own = devices.getOrDefault(traceName, DeviceSettings.EMPTY);
        DeviceSettings s = own.orElse(defaults).orElse(BUILT_IN);
        if (s.pci() == null) {
            s = s.orElse(new DeviceSettings(null, null, null, null, null, null, null, null, isPciName(traceName), null));
        }
        if (own.iommu() == null && defaults.iommu() == null && isIommuName(traceName)) {
            s = new DeviceSettings(null, null, null, null, null, null, null, null, null, null, false, null).orElse(s);
        }
        return s;
    }

    /** True for a device name that names an IOMMU itself (an SMMU's platform device). */
    public static boolean isIommuName(String traceName) {
        return IOMMU_NAME.matcher(traceName).matches();
    }

    /** The backend devices kept off the IOMMU are replayed on. */
    public String directBackend() {
        return directBackend;
    }

    /** True when the device file names the simulated device of {@code traceName} itself. */
    public boolean hasExplicitName(String traceName) {
        DeviceSettings own = devices.get(traceName);
        return own != null && own.name() != null;
    }

    public long streamIdBase() {
        return streamIdBase;
    }

    /** True for a PCI name, {@code domain:bus:device.function}. */
    public static boolean isPciName(String traceName) {
        return PCI_NAME.matcher(traceName).matches();
    }

    /** The requester ID of a PCI name ({@code bus << 8 | device << 3 | function}), or -1. */
    public static int pciRequesterId(String traceName) {
        java.util.regex.Matcher m = PCI_NAME.matcher(traceName);
        if (!m.matches()) {
            return -1;
        }
        return Integer.parseInt(m.group(1), 16) << 8 | Integer.parseInt(m.group(2), 16) << 3 | Integer.parseInt(m.group(3));
    }

    /** A trace name turned into a valid simulated device name. */
    public static String sanitise(String traceName) {
        StringBuilder b = new StringBuilder(traceName.length());
        for (int i = 0; i < traceName.length(); i++) {
            char c = traceName.charAt(i);
            boolean ok = c < 128 && (Character.isLetterOrDigit(c) || c == '_' || c == '.' || c == ':' || c == '-');
            b.append(ok ? c : '_');
        }
        return b.length() == 0 ? "dev" : b.toString();
    }
}
