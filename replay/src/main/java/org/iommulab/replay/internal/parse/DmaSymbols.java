package org.iommulab.replay.internal.parse;

import java.util.Map;

import org.iommulab.api.dma.DmaAttrs;
import org.iommulab.api.dma.DmaDirection;

/**
 * Decodes the symbolic fields of {@code include/trace/events/dma.h}:
 * <ul>
 * <li>{@code decode_dma_data_direction}: {@code __print_symbolic} of BIDIRECTIONAL, TO_DEVICE,
 * FROM_DEVICE, NONE; another value prints as {@code 0x%lx}
 * ({@code trace_print_symbols_seq}, kernel/trace/trace_output.c).</li>
 * <li>{@code decode_dma_attrs}: {@code __print_flags(attrs, "|", ...)}: the names of the set
 * bits joined by '|', then any bits without a name as {@code 0x%lx}; nothing at all for 0
 * ({@code trace_print_flags_seq}). v6.12 names WEAK_ORDERING .. PRIVILEGED; later trees add
 * MMIO, CACHELINES_OVERLAP (DMA_ATTR_DEBUGGING_IGNORE_CACHELINES), REQUIRE_COHERENT,
 * CC_SHARED and ALLOC_CC_SHARED.</li>
 * </ul>
 * Attributes the model has no bit for ({@link DmaAttrs#KNOWN}) are kept apart as text, so the
 * replay can pass only known bits to the DMA API and report what it dropped.
 */
public final class DmaSymbols {
    private static final Map<String, Integer> ATTRS = Map.of(
            "WEAK_ORDERING", DmaAttrs.WEAK_ORDERING,
            "WRITE_COMBINE", DmaAttrs.WRITE_COMBINE,
            "NO_KERNEL_MAPPING", DmaAttrs.NO_KERNEL_MAPPING,
            "SKIP_CPU_SYNC", DmaAttrs.SKIP_CPU_SYNC,
            "FORCE_CONTIGUOUS", DmaAttrs.FORCE_CONTIGUOUS,
            "ALLOC_SINGLE_PAGES", DmaAttrs.ALLOC_SINGLE_PAGES,
            "NO_WARN", DmaAttrs.NO_WARN,
            "PRIVILEGED", DmaAttrs.PRIVILEGED,
            "MMIO", DmaAttrs.MMIO);

    private DmaSymbols() {
    }

    /**
     * The direction named {@code s}; null for a numeric value ({@code 0x..}) no symbol matched.
     *
     * @throws IllegalArgumentException for anything else
     */
    public static DmaDirection direction(String s) {
        switch (s) {
            case "BIDIRECTIONAL": return DmaDirection.BIDIRECTIONAL;
            case "TO_DEVICE": return DmaDirection.TO_DEVICE;
            case "FROM_DEVICE": return DmaDirection.FROM_DEVICE;
            case "NONE": return DmaDirection.NONE;
            default:
                if (s.startsWith("0x")) {
                    Numbers.hex(s);
                    return null;
                }
                throw new IllegalArgumentException("unknown DMA direction '" + s + "'");
        }
    }

    /** Decoded {@code attrs=}: the known bits and the rest as text (null when nothing was dropped). */
    public record Attrs(int bits, String unknown) {
    }

    /** Decodes an {@code attrs=} value ("" for none). */
    public static Attrs attrs(String s) {
        if (s.isEmpty()) {
            return new Attrs(0, null);
        }
        int bits = 0;
        StringBuilder unknown = null;
        int start = 0;
        while (start <= s.length()) {
            int bar = s.indexOf('|', start);
            String name = s.substring(start, bar < 0 ? s.length() : bar);
            Integer bit = ATTRS.get(name);
            if (bit != null) {
                bits |= bit;
            } else if (name.startsWith("0x")) {
                long v = Numbers.hex(name);
                bits |= (int) (v & DmaAttrs.KNOWN);
                long rest = v & ~(long) DmaAttrs.KNOWN;
                if (rest != 0) {
                    unknown = append(unknown, "0x" + Long.toHexString(rest));
                }
            } else if (!name.isEmpty() && name.chars().allMatch(c -> c == '_' || Character.isUpperCase(c) || Character.isDigit(c))) {
                unknown = append(unknown, name);
            } else {
                throw new IllegalArgumentException("bad DMA attribute '" + name + "' in attrs=" + s);
            }
            if (bar < 0) {
                break;
            }
            start = bar + 1;
        }
        return new Attrs(bits, unknown == null ? null : unknown.toString());
    }

    private static StringBuilder append(StringBuilder b, String s) {
        if (b == null) {
            return new StringBuilder(s);
        }
        return b.append('|').append(s);
    }
}
