package org.iommulab.api.config;

import java.lang.annotation.Annotation;
import java.lang.reflect.Array;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

import org.iommulab.api.platform.MemoryRegion;

/**
 * Reads one configuration's values and holds each to its key's rule, throwing a
 * {@link ConfigException} that names the PID, the key, the value and the rule. A key that is
 * absent takes the default the caller gives. Values may come as ConfigAdmin types (Integer,
 * Long, Boolean, arrays, as a {@code .config} file or a component's defaults give them) or as
 * strings (as every value of a {@code .cfg} file is): numbers decimal or {@code 0x} hex with
 * {@code _} allowed between digits, sizes with an optional {@code K}, {@code M} or {@code G}
 * (KiB, MiB, GiB) as in scenario files, booleans {@code true} or {@code false}.
 *
 * <p>The defaults come from the component's metatype annotation (the
 * {@code @ObjectClassDefinition} type, whose element names map to keys as Declarative Services
 * maps them: {@code swap_releaseTimeout} is {@code swap.releaseTimeout}), so that what the
 * metatype shows as a default is what the component uses; a default is held to the same rule.
 *
 * <p>Not thread-safe: one reader per configuration read, on one thread.
 */
public final class ConfigReader {
    private final String pid;
    private final Map<String, ?> properties;

    /**
     * @param pid the PID (or factory PID) named in errors
     * @param properties the configuration's properties; null reads as empty
     */
    public ConfigReader(String pid, Map<String, ?> properties) {
        this(pid, properties, null);
    }

    /**
     * @param pid the PID (or factory PID) named in errors
     * @param properties the configuration's properties; null reads as empty
     * @param ocd the metatype annotation whose element defaults fill the keys that
     *     {@code properties} lacks, or null for none
     */
    public ConfigReader(String pid, Map<String, ?> properties, Class<? extends Annotation> ocd) {
        this.pid = pid;
        Map<String, Object> merged = new HashMap<>(defaults(ocd));
        if (properties != null) {
            properties.forEach((k, v) -> {
                if (v != null) {
                    merged.put(k, v);
                }
            });
        }
        this.properties = merged;
    }

    /**
     * The defaults of a metatype annotation by property name.
     *
     * @param ocd the annotation type, or null
     * @return key to default value, for the elements that have one
     */
    public static Map<String, Object> defaults(Class<? extends Annotation> ocd) {
        Map<String, Object> out = new HashMap<>();
        if (ocd == null) {
            return out;
        }
        for (Method m : ocd.getDeclaredMethods()) {
            if (m.getDefaultValue() != null) {
                out.put(propertyName(m.getName()), m.getDefaultValue());
            }
        }
        return out;
    }

    /**
     * The values of a configuration already typed by Declarative Services (a component
     * property type instance), by property name: a component that takes its configuration as
     * that type holds it to the same rules as the raw properties.
     *
     * @param config the component property type instance
     * @return key to value, for every element
     */
    public static Map<String, Object> properties(Annotation config) {
        Map<String, Object> out = new HashMap<>();
        for (Method m : config.annotationType().getDeclaredMethods()) {
            if (m.getParameterCount() != 0) {
                continue;
            }
            try {
                Object v = m.invoke(config);
                if (v != null) {
                    out.put(propertyName(m.getName()), v);
                }
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot read " + m.getName() + " of " + config.annotationType().getName(), e);
            }
        }
        return out;
    }

    /**
     * An annotation element's property name, OSGi Declarative Services 1.4 section 112.8.2.2:
     * {@code $_$} is {@code -}, {@code $$} is {@code $}, another {@code $} is dropped,
     * {@code __} is {@code _} and another {@code _} is {@code .}.
     */
    public static String propertyName(String element) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < element.length(); i++) {
            char c = element.charAt(i);
            if (c == '$') {
                if (element.startsWith("$_$", i)) {
                    b.append('-');
                    i += 2;
                } else if (element.startsWith("$$", i)) {
                    b.append('$');
                    i++;
                }
            } else if (c == '_') {
                if (element.startsWith("__", i)) {
                    b.append('_');
                    i++;
                } else {
                    b.append('.');
                }
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** @return the PID named in errors */
    public String pid() {
        return pid;
    }

    /** @return whether {@code key} has a value */
    public boolean has(String key) {
        return properties.get(key) != null;
    }

    /** @return the raw value of {@code key}, or null */
    public Object raw(String key) {
        return properties.get(key);
    }

    /** @return a {@link ConfigException} for {@code key}, its value as given and {@code rule} */
    public ConfigException fail(String key, String rule) {
        return new ConfigException(pid, key, show(properties.get(key)), rule);
    }

    /** A string, any text (trimmed). */
    public String string(String key) {
        Object v = present(key, "a string");
        if (v instanceof String s) {
            return s.trim();
        }
        throw fail(key, "a string");
    }

    /** A string that must be one of {@code allowed} (exactly, as written there). */
    public String oneOf(String key, String... allowed) {
        String rule = "one of " + String.join(", ", allowed);
        Object v = present(key, rule);
        // A .cfg value is a string; a typed one (stage=1 as an Integer) is compared by its text.
        String text = v.toString().trim();
        for (String a : allowed) {
            if (a.equals(text)) {
                return a;
            }
        }
        throw fail(key, rule);
    }

    /** {@code true} or {@code false} (a string in any case, or a Boolean). */
    public boolean bool(String key) {
        Object v = present(key, "true or false");
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof String s) {
            String t = s.trim();
            if (t.equalsIgnoreCase("true") || t.equalsIgnoreCase("false")) {
                return Boolean.parseBoolean(t);
            }
        }
        throw fail(key, "true or false");
    }

    /** An integer in {@code min..max}, decimal or 0x hex. */
    public int integer(String key, int min, int max) {
        return (int) number(key, min, max);
    }

    /** An integer that must be one of {@code allowed}. */
    public int intOneOf(String key, int... allowed) {
        String rule = "one of " + Arrays.stream(allowed).mapToObj(Integer::toString).collect(Collectors.joining(", "));
        long v = parseLong(key, present(key, rule), rule);
        for (int a : allowed) {
            if (a == v) {
                return a;
            }
        }
        throw fail(key, rule);
    }

    /** A power of two in {@code min..max}. */
    public int powerOfTwo(String key, int min, int max) {
        String rule = "a power of two " + min + ".." + max;
        long v = parseLong(key, present(key, rule), rule);
        if (v < min || v > max || Long.bitCount(v) != 1) {
            throw fail(key, rule);
        }
        return (int) v;
    }

    /** A whole number in {@code min..max}, decimal or 0x hex. */
    public long number(String key, long min, long max) {
        String rule = "an integer " + min + ".." + max + " (decimal or 0x hex)";
        long v = parseLong(key, present(key, rule), rule);
        if (v < min || v > max) {
            throw fail(key, rule);
        }
        return v;
    }

    /**
     * A byte count in {@code min..max}: a number (decimal or 0x hex) with an optional
     * {@code K}, {@code M} or {@code G} suffix for KiB, MiB or GiB.
     */
    public long size(String key, long min, long max) {
        String rule = "a size " + showSize(min) + ".." + showSize(max)
                + " (bytes, or a number ending in K, M or G for KiB, MiB, GiB)";
        Object v = present(key, rule);
        long bytes;
        if (v instanceof String s) {
            Long parsed = parseSize(s);
            if (parsed == null) {
                throw fail(key, rule);
            }
            bytes = parsed;
        } else {
            bytes = parseLong(key, v, rule);
        }
        if (bytes < min || bytes > max) {
            throw fail(key, rule);
        }
        return bytes;
    }

    /**
     * A mask {@code 2^n-1} with {@code n} in {@code minBits..64}, or 0 when {@code zeroAllowed}:
     * decimal or 0x hex (unsigned 64-bit).
     */
    public long mask(String key, boolean zeroAllowed, int minBits) {
        String rule = (zeroAllowed ? "0 or " : "") + "a mask 2^n-1 with n " + minBits + "..64 (decimal or 0x hex)";
        long m = parseLong(key, present(key, rule), rule);
        // 2^n-1 is all ones from bit 0: adding one clears every one of them (2^64-1 wraps to 0).
        boolean ones = (m & (m + 1)) == 0;
        if (m == 0 ? !zeroAllowed : !ones || 64 - Long.numberOfLeadingZeros(m) < minBits) {
            throw fail(key, rule);
        }
        return m;
    }

    /** An unsigned 64-bit address in hex ({@code 0x} optional). */
    public long address(String key) {
        String rule = "an address in hex (0x...)";
        Object v = present(key, rule);
        if (v instanceof Integer || v instanceof Long) {
            return ((Number) v).longValue();
        }
        Long a = v instanceof String s ? parseHex(s) : null;
        if (a == null) {
            throw fail(key, rule);
        }
        return a;
    }

    /**
     * A list of strings: an array or collection, or one string (one entry, as Declarative
     * Services reads a single value for an array). Blank entries are dropped; absent is empty.
     */
    public List<String> list(String key) {
        Object v = properties.get(key);
        List<String> out = new ArrayList<>();
        if (v == null) {
            return out;
        }
        List<Object> items = new ArrayList<>();
        if (v.getClass().isArray()) {
            for (int i = 0; i < Array.getLength(v); i++) {
                items.add(Array.get(v, i));
            }
        } else if (v instanceof Collection<?> c) {
            items.addAll(c);
        } else {
            items.add(v);
        }
        for (Object o : items) {
            if (!(o instanceof String s)) {
                throw fail(key, "a list of strings");
            }
            if (!s.isBlank()) {
                out.add(s.trim());
            }
        }
        return out;
    }

    /**
     * Memory ranges, each {@code base+size} in hex ({@code 0x8000000+0x38000000}, {@code 0x}
     * optional), as a list ({@link #list}); absent is empty.
     */
    public List<MemoryRegion> regions(String key) {
        List<MemoryRegion> out = new ArrayList<>();
        for (String e : list(key)) {
            String[] p = e.split("\\+");
            Long base = p.length == 2 ? parseHex(p[0]) : null;
            Long size = p.length == 2 ? parseHex(p[1]) : null;
            if (base == null || size == null || base < 0 || size <= 0 || base + size < base) {
                throw new ConfigException(pid, key, show(properties.get(key)),
                        "each entry base+size in hex, size above 0, below 2^63 (0x8000000+0x38000000); '" + e + "' is not");
            }
            out.add(new MemoryRegion(base, size));
        }
        return out;
    }

    /** The value of {@code key}, or a ConfigException saying it is required. */
    private Object present(String key, String rule) {
        Object v = properties.get(key);
        if (v == null) {
            throw new ConfigException(pid, key, null, "required: " + rule);
        }
        return v;
    }

    /**
     * Parses a size: decimal or 0x hex, with an optional K, M or G suffix (powers of 1024).
     *
     * @return the byte count, or null when {@code text} is not a size or does not fit a long
     */
    public static Long parseSize(String text) {
        String t = text.trim().replace("_", "");
        if (t.isEmpty()) {
            return null;
        }
        int shift = 0;
        char last = Character.toUpperCase(t.charAt(t.length() - 1));
        boolean hex = t.startsWith("0x") || t.startsWith("0X");
        if (!hex && (last == 'K' || last == 'M' || last == 'G')) {
            shift = last == 'K' ? 10 : last == 'M' ? 20 : 30;
            t = t.substring(0, t.length() - 1);
        }
        Long n = parseNumber(t);
        if (n == null || n < 0 || n > (Long.MAX_VALUE >> shift)) {
            return null;
        }
        return n << shift;
    }

    private long parseLong(String key, Object v, String rule) {
        if (v instanceof Byte || v instanceof Short || v instanceof Integer || v instanceof Long) {
            return ((Number) v).longValue();
        }
        Long n = v instanceof String s ? parseNumber(s.trim().replace("_", "")) : null;
        if (n == null) {
            throw fail(key, rule);
        }
        return n;
    }

    /** Decimal (signed) or 0x hex (unsigned 64-bit); null when it is neither. */
    private static Long parseNumber(String t) {
        try {
            if (t.startsWith("0x") || t.startsWith("0X")) {
                return t.length() > 2 ? Long.parseUnsignedLong(t.substring(2), 16) : null;
            }
            return Long.parseLong(t);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Long parseHex(String s) {
        String t = s.trim().toLowerCase(Locale.ROOT).replace("_", "");
        t = t.startsWith("0x") ? t.substring(2) : t;
        try {
            return t.isEmpty() ? null : Long.parseUnsignedLong(t, 16);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** 1048576 as 1M, 1000 as 1000: the largest of K, M, G that divides the count. */
    static String showSize(long bytes) {
        for (int shift = 30; shift >= 10; shift -= 10) {
            if (bytes != 0 && bytes % (1L << shift) == 0) {
                return (bytes >> shift) + (shift == 30 ? "G" : shift == 20 ? "M" : "K");
            }
        }
        return Long.toString(bytes);
    }

    private static String show(Object v) {
        if (v == null) {
            return null;
        }
        if (v.getClass().isArray()) {
            List<String> parts = new ArrayList<>();
            for (int i = 0; i < Array.getLength(v); i++) {
                parts.add(String.valueOf(Array.get(v, i)));
            }
            return String.join(",", parts);
        }
        return v.toString();
    }
}
