package org.iommulab.replay.internal.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The in-place reader gives, for every line it takes, exactly the event the string parser gives
 * (every field), and declines every line the string parser would not read as that event. Lines:
 * every line of the test traces, and variants of their event lines in each way a line can differ
 * (prefix shapes, field order, numbers at and past their limits, odd attributes and directions,
 * stray whitespace, broken fields).
 */
class FastLineTest {
    private final LineParser slow = new LineParser();
    private final FastLine fast = new FastLine();

    private TraceEvent fast(String line) {
        byte[] b = ("xx" + line + "yy").getBytes(StandardCharsets.US_ASCII); // an offset, as in the reader's buffer
        return fast.parse(b, 2, b.length - 2, 7);
    }

    /** The fast reader either declines {@code line} or agrees with the string parser on every field. */
    private boolean agrees(String line) throws IllegalAccessException {
        TraceEvent f = fast(line);
        if (f == null) {
            return false;
        }
        LineResult r = slow.parse(line, 7);
        assertEquals(LineResult.Type.EVENT, r.type(), () -> "fast read a line the string parser finds " + r.type() + ": " + line);
        for (Field field : TraceEvent.class.getDeclaredFields()) {
            if (Modifier.isStatic(field.getModifiers())) {
                continue;
            }
            field.setAccessible(true);
            Object a = field.get(r.event());
            Object b = field.get(f);
            assertTrue(Objects.equals(a, b), () -> field.getName() + ": " + a + " (string) vs " + b + " (fast) in " + line);
        }
        return true;
    }

    private static List<String> traceLines() throws IOException, URISyntaxException {
        Path dir = Path.of(FastLineTest.class.getResource("/traces").toURI());
        List<String> lines = new ArrayList<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                if (p.toString().endsWith(".txt")) {
                    lines.addAll(Files.readAllLines(p, StandardCharsets.ISO_8859_1));
                }
            }
        }
        return lines;
    }

    private static List<String> variants(String line) {
        List<String> v = new ArrayList<>();
        v.add(line);
        v.add("#" + line);
        v.add("   " + line + "  \t");
        v.add(line + "\r");
        v.add(line.replaceFirst("\\[", "(  611) ["));
        v.add(line.replaceFirst("\\[(\\d+)\\]", "[99999999999]"));
        v.add(line.replaceFirst("-(\\d+) ", "-99999999999 "));
        v.add(line.replaceFirst("-(\\d+) ", "-2147483647 "));
        v.add(line.replaceFirst("\\] \\S+ ", "] "));
        v.add(line.replaceFirst("\\] \\S+ ", "] d.h1. "));
        v.add(line.replaceFirst("(\\d+)\\.(\\d+):", "$1.$2123:"));
        v.add(line.replaceFirst("(\\d+)\\.(\\d+):", "$1:"));
        v.add(line.replaceFirst("(\\d+)\\.(\\d+):", "99999999999999999999.1:"));
        v.add(line.replaceFirst(" (dma_\\w+|map|unmap): ", " dma:$1: "));
        v.add(line.replaceFirst(" (dma_\\w+|map|unmap): ", " iommu:$1: "));
        v.add(line.replaceFirst(" (dma_\\w+|map|unmap): ", " $1:  "));
        v.add(line.replaceFirst(" (dma_\\w+|map|unmap): ", " $1:x"));
        v.add(line.replaceFirst(" (dma_\\w+|map|unmap): ", " no_such_event: "));
        v.add(line.replace("attrs=", "attrs=SKIP_CPU_SYNC"));
        v.add(line.replace("attrs=", "attrs=WEAK_ORDERING|0x10000|NEW_THING"));
        v.add(line.replace("attrs=", "attrs=lower"));
        v.add(line.replace("attrs=", "attrs= attrs=SKIP_CPU_SYNC"));
        v.add(line.replaceFirst("dir=\\w+", "dir=0x3"));
        v.add(line.replaceFirst("dir=\\w+", "dir=SIDEWAYS"));
        v.add(line.replaceFirst("dir=\\w+", "dir="));
        v.add(line.replaceFirst(" dir=", "  dir="));
        v.add(line.replaceFirst(" dir=", "\tdir="));
        v.add(line.replaceFirst("size=\\d+", "size=0"));
        v.add(line.replaceFirst("size=\\d+", "size=+4096"));
        v.add(line.replaceFirst("size=\\d+", "size=-1"));
        v.add(line.replaceFirst("size=\\d+", "size=9223372036854775807"));
        v.add(line.replaceFirst("size=\\d+", "size=4096x"));
        v.add(line.replaceFirst("size=\\d+", ""));
        v.add(line.replaceFirst("dma_addr=(\\w+)", "dma_addr=0x$1"));
        v.add(line.replaceFirst("dma_addr=(\\w+)", "dma_addr=$1 dma_addr=0"));
        v.add(line.replaceFirst("dma_addr=\\w+", "dma_addr=FFFFFFFFFFFFFFFF"));
        v.add(line.replaceFirst("dma_addr=\\w+", "dma_addr=1ffffffffffffffff"));
        v.add(line.replaceFirst("dma_addr=\\w+", "dma_addr=8000000000000000"));
        v.add(line.replaceFirst("dma_addr=\\w+", "dma_addr=0x"));
        v.add(line.replaceFirst("dma_addr=\\w+", "dma_addr=+f"));
        v.add(line.replaceFirst("dma_addr=\\w+", "dma_addr=g"));
        v.add(line.replaceFirst("phys_addr=\\w+", "phys_addr=0X1000"));
        v.add(line.replaceFirst("phys_addr=\\w+", ""));
        v.add(line.replaceFirst("(dma_\\w+: )(\\S+)", "$1dev=x"));
        v.add(line.replaceFirst("(dma_\\w+: )(\\S+) ", "$1"));
        v.add(line.replaceFirst("virt_addr=\\S+", ""));
        v.add(line.replaceFirst("flags=\\S+", ""));
        v.add(line.replaceFirst("IOMMU:", "IOMMU: "));
        v.add(line.replaceFirst("IOMMU:", "IOMMU"));
        v.add(line.replaceFirst(" - ", " -- "));
        v.add(line.replaceFirst(" - 0x\\w+", " - 0x1"));
        v.add(line.replaceFirst("iova=0x\\w+", "iova=0x8000000000000000"));
        v.add(line.replaceFirst("paddr=\\w+", ""));
        v.add(line.replaceFirst("unmapped_size=\\d+", "unmapped_size=x"));
        v.add(line.replaceFirst("unmapped_size=\\d+", "unmapped_size=0"));
        // keys near the real ones (same length, same first bytes), told apart by every byte
        v.add(line.replaceFirst("size=", "sizf="));
        v.add(line.replaceFirst("dma_addr=", "dma_addR="));
        v.add(line.replaceFirst("phys_addr=", "phys_adds="));
        v.add(line.replaceFirst("phys_addr=", "phys_addr_="));
        v.add(line.replaceFirst("unmapped_size=", "unmapped_sizd="));
        v.add(line.replaceFirst(" dir=", " dir==").replaceFirst("size=(\\d+)", "size=$1="));
        // number values read in the split pass: an empty one, a stray 0x, 16 and 17 digits
        v.add(line.replaceFirst("size=\\d+", "size="));
        v.add(line.replaceFirst("dma_addr=\\w+", "dma_addr=0x0x1"));
        v.add(line.replaceFirst("dma_addr=\\w+", "dma_addr=0xffffffffffffffff"));
        v.add(line.replaceFirst("dma_addr=\\w+", "dma_addr=0x1ffffffffffffffff"));
        v.add(line.replaceFirst("size=\\d+", "size=123456789012345678"));
        v.add(line.replaceFirst("size=\\d+", "size=1234567890123456789"));
        // timestamps read in one pass: a fraction past nanoseconds, two dots, a leading dot
        v.add(line.replaceFirst("(\\d+)\\.(\\d+):", "$1.1234567891:"));
        v.add(line.replaceFirst("(\\d+)\\.(\\d+):", "$1.$2.5:"));
        v.add(line.replaceFirst("(\\d+)\\.(\\d+):", ".$2:"));
        v.add(line.replaceFirst("(\\d+)\\.(\\d+):", "$1.:"));
        // fractions of one to nine digits (eight read at once), a non-digit among eight
        for (String f : new String[] {"1", "12", "1234567", "12345678", "123456789", "1234a678", "12/45678", "1.345678"}) {
            v.add(line.replaceFirst("(\\d+)\\.(\\d+):", "$1." + f + ":"));
        }
        v.add(line + " extra=1 more words");
        // after a kept prefix (FastLine's recent prefixes): no colon, more spaces, a tab
        v.add(line.replaceFirst("(\\d+)\\.(\\d+): ", "$1.$2 "));
        v.add(line.replaceFirst("(\\d+\\.\\d+:)", "   $1"));
        v.add(line.replaceFirst("(\\d+\\.\\d+:)", "\t$1"));
        // the words of a format's template, nearly: an '=' in a word without a key, a key cut short
        v.add(line.replaceFirst(" - ", " -=x "));
        v.add(line.replaceFirst(" - 0x", " - 0x=0x"));
        v.add(line.replaceFirst("(dma_\\w+: )(\\S+)", "$1$2="));
        v.add(line.replaceFirst("attrs=$", "attrs"));
        v.add(line.replaceFirst("size=(\\d+)$", "size"));
        v.add(line.replaceFirst("paddr=", "padd="));
        return v;
    }

    @Test
    void agreesWithTheStringParserOnEveryLineItTakes() throws Exception {
        int taken = 0;
        int lines = 0;
        for (String line : traceLines()) {
            for (String v : variants(line)) {
                lines++;
                if (agrees(v)) {
                    taken++;
                }
            }
        }
        // most event lines of the traces are taken, so the comparison above is not empty
        int all = lines;
        int took = taken;
        assertTrue(took > 20, () -> took + " of " + all + " lines taken");
    }

    /**
     * A line read right after a line it shares its shape with (LineShapes keeps the first, and
     * the second is read from it when equal but for its numbers): every byte after the
     * timestamp changed, one at a time, to a digit, a hex letter, an x, a space, an '=', a tab
     * and other punctuation, the length kept. Each variant is declined or read as the string
     * parser reads it, and the changed numbers are read through the kept shape.
     */
    @Test
    void agreesRightAfterALineOfTheSameShape() throws Exception {
        String[] others = {"0", "7", "9", "a", "F", "x", "X", "g", " ", "=", "\t", "-", ".", "+", ":"};
        List<String> lines = new ArrayList<>(List.of(COMMON));
        lines.addAll(traceLines());
        long hits = 0;
        int taken = 0;
        for (String line : lines) {
            if (fast(line) == null) {
                continue;
            }
            for (int i = 0; i < line.length(); i++) {
                for (String c : others) {
                    String v = line.substring(0, i) + c + line.substring(i + 1);
                    fast(line); // keeps its shape
                    long before = fast.shapeHits;
                    if (agrees(v)) {
                        taken++;
                    }
                    hits += fast.shapeHits - before;
                }
            }
        }
        long shaped = hits;
        int took = taken;
        // the variants that change a digit of a number to another are read through the kept
        // shape (some then declined, as an iommu range that no longer has its size)
        assertTrue(shaped > 1000 && took > 1000, () -> shaped + " read through a kept shape, " + took + " taken");
    }

    private static final String[] COMMON = {
        "  NetworkManager-611     [001] .....   400.000001: map: IOMMU: iova=0x00000000fff00000 - 0x00000000fff01000 paddr=0x000000010a000000 size=4096",
        "  NetworkManager-611     [001] .....   400.000001: dma_map_page: 0000:01:00.0 dir=TO_DEVICE dma_addr=fff00000 size=1500 phys_addr=10a000000 attrs=",
        "          <idle>-0       [001] ..s1.   400.000001: dma_unmap_page: 0000:01:00.0 dir=TO_DEVICE dma_addr=fff00000 size=1500 attrs=",
        "  irq/45-nvme0q3-318     [003] d.h1.   410.500390: dma_sync_single_for_cpu: 0000:02:00.0 dir=FROM_DEVICE dma_addr=ffffe800 size=98",
        "    kworker/0:1-12    [000] .....   5.100: unmap: IOMMU: iova=0x00000000fff00000 - 0x00000000fff01000 size=4096 unmapped_size=4096",
    };

    @Test
    void takesTheCommonEventsAsIs() throws Exception {
        String[] common = COMMON;
        for (String line : common) {
            assertTrue(agrees(line), line);
        }
    }

    @Test
    void declinesWhatOnlyTheStringParserWords() {
        assertNull(fast("# tracer: nop"));
        assertNull(fast(""));
        assertNull(fast("CPU:2 [LOST 17 EVENTS]"));
        assertNull(fast("  task-1 [000] 1.0: dma_map_sg: 0000:01:00.0 dir=TO_DEVICE dma_addrs={0x1000} sizes={0x100} phys_addrs={0x2000} attrs="));
        assertNotNull(fast("  task-1 [000] 1.0: dma_unmap_page: 0000:01:00.0 dir=TO_DEVICE dma_addr=1000 size=100 attrs="));
    }
}
