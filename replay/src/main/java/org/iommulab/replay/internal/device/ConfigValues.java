package org.iommulab.replay.internal.device;

import org.iommulab.api.dma.DmaMasks;

/** Value syntax of the device file; each parser throws {@link IllegalArgumentException} with the bad text. */
final class ConfigValues {
    private ConfigValues() {
    }

    /**
     * A mask: a width in bits ({@code 32}, {@code 64}, Linux {@code DMA_BIT_MASK(n)}) or the mask
     * itself in hex ({@code 0xffffffff}); it must be 2^n-1.
     */
    static long mask(String v) {
        String s = v.strip();
        long m;
        if (s.startsWith("0x") || s.startsWith("0X")) {
            m = number(s);
        } else {
            int bits;
            try {
                bits = Integer.parseInt(s);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad mask '" + v + "': give a width in bits (32) or a hex mask (0xffffffff)");
            }
            m = DmaMasks.bits(bits);
        }
        if (!DmaMasks.isValidMask(m)) {
            throw new IllegalArgumentException("mask '" + v + "' is not 2^n-1");
        }
        return m;
    }

    /** A size in bytes: decimal or hex, with an optional K, M or G suffix (powers of 1024). */
    static long size(String v) {
        String s = v.strip();
        long unit = 1;
        if (!s.isEmpty()) {
            char last = Character.toUpperCase(s.charAt(s.length() - 1));
            if (last == 'K' || last == 'M' || last == 'G') {
                unit = last == 'K' ? 1L << 10 : last == 'M' ? 1L << 20 : 1L << 30;
                s = s.substring(0, s.length() - 1);
            }
        }
        long n = number(s);
        if (n <= 0) {
            throw new IllegalArgumentException("size '" + v + "' must be positive");
        }
        return Math.multiplyExact(n, unit);
    }

    static boolean bool(String v) {
        switch (v.strip().toLowerCase()) {
            case "true": case "yes": case "1": return true;
            case "false": case "no": case "0": return false;
            default: throw new IllegalArgumentException("bad boolean '" + v + "': use true or false");
        }
    }

    /** {@code on}/{@code off} (or a boolean). */
    static boolean onOff(String v) {
        switch (v.strip().toLowerCase()) {
            case "on": return true;
            case "off": return false;
            default: return bool(v);
        }
    }

    /** An MSI mode: {@code auto}, {@code probe} or {@code off}. */
    static String msi(String v) {
        String s = v.strip().toLowerCase();
        if (s.equals(DeviceSettings.MSI_AUTO) || s.equals(DeviceSettings.MSI_PROBE) || s.equals(DeviceSettings.MSI_OFF)) {
            return s;
        }
        throw new IllegalArgumentException("bad msi '" + v + "': use auto (from the trace), probe (before the first call) or off");
    }

    /** Stream IDs: one or more numbers, comma-separated. */
    static int[] ids(String v) {
        String[] parts = v.split(",");
        int[] ids = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            long id = number(parts[i].strip());
            if (id < 0 || id > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("stream ID '" + parts[i].strip() + "' out of range");
            }
            ids[i] = (int) id;
        }
        return ids;
    }

    /** A non-negative decimal or {@code 0x} hex number. */
    static long number(String s) {
        try {
            if (s.startsWith("0x") || s.startsWith("0X")) {
                return Long.parseUnsignedLong(s.substring(2), 16);
            }
            long n = Long.parseLong(s);
            if (n < 0) {
                throw new IllegalArgumentException("'" + s + "' must not be negative");
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad number '" + s + "'");
        }
    }
}
