package org.iommulab.replay.internal.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * BodyWords.hex8, the eight-digits-at-a-time hex read, against the JDK's
 * Long.parseUnsignedLong(s, 16): the value of eight hex digits when every byte is one
 * ([0-9a-fA-F]), and -1 when any byte is anything else.
 */
class BodyWordsHexTest {
    private static final String HEX = "0123456789abcdefABCDEF";

    private static long packed(byte[] b) {
        return java.nio.ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    private static long expected(byte[] b) {
        for (byte c : b) {
            if (HEX.indexOf(c) < 0) {
                return -1; // parseUnsignedLong would also take '+' first, which ftrace never prints
            }
        }
        return Long.parseUnsignedLong(new String(b, StandardCharsets.ISO_8859_1), 16);
    }

    @Test
    void eightHexDigitsReadAsTheJdkReadsThem() {
        assertEquals(0xfff01000L, BodyWords.hex8(packed("fff01000".getBytes(StandardCharsets.US_ASCII))));
        assertEquals(0xFEDCBA98L, BodyWords.hex8(packed("FeDcBa98".getBytes(StandardCharsets.US_ASCII))));
        Random r = new Random(15);
        byte[] b = new byte[8];
        for (int n = 0; n < 200_000; n++) {
            for (int i = 0; i < 8; i++) {
                b[i] = (byte) HEX.charAt(r.nextInt(HEX.length()));
            }
            assertEquals(expected(b), BodyWords.hex8(packed(b)));
        }
    }

    @Test
    void anyOtherByteIsNotADigit() {
        Random r = new Random(16);
        byte[] b = new byte[8];
        for (int c = 0; c < 256; c++) {
            for (int pos = 0; pos < 8; pos++) {
                for (int i = 0; i < 8; i++) {
                    b[i] = (byte) HEX.charAt(r.nextInt(HEX.length()));
                }
                b[pos] = (byte) c;
                assertEquals(expected(b), BodyWords.hex8(packed(b)), "byte " + c + " at " + pos);
            }
        }
    }

    /**
     * A body split knowing its format's words ({@code split(l, from, to, template)}, which
     * scans words eight bytes at a time) reads what the plain Fields.split-like scan reads, for
     * bodies near the formats: words of the right keys, '=' inside a device name, stray
     * spaces, values of every length across the eight-byte steps.
     */
    private static final String[] KEY_NAMES = {"dir", "dma_addr", "size", "phys_addr", "attrs", "virt_addr", "flags",
        "iova", "paddr", "unmapped_size"};

    /** Whether {@code word} is the template's word of key id {@code k} (-1: a word with no '='). */
    private static boolean fits(String word, int k) {
        return k < 0 ? word.indexOf('=') < 0 : word.startsWith(KEY_NAMES[k] + "=");
    }

    @Test
    void templateSplitReadsWhatThePlainSplitReads() {
        String[] words = {"0000:01:00.0", "0000:01=00.0", "dir=TO_DEVICE", "dir=FROM_DEVICE", "dma_addr=fff01000",
            "dma_addr=0x1a2b3c4d5e6f7a8b9", "size=1500", "size=4096", "phys_addr=10a000000", "attrs=",
            "attrs=SKIP_CPU_SYNC", "iova=0x00000000fff00000", "-", "0x00000000fff01000", "paddr=0x000000010a000000",
            "unmapped_size=4096", "x", "longdevicename:with:colons"};
        int[][] templates = {BodyWords.MAP, BodyWords.UNMAP, BodyWords.SYNC_SINGLE, BodyWords.IOMMU_MAP, BodyWords.IOMMU_UNMAP};
        Random r = new Random(17);
        BodyWords a = new BodyWords();
        BodyWords b = new BodyWords();
        for (int n = 0; n < 50_000; n++) {
            int[] t = templates[r.nextInt(templates.length)];
            StringBuilder s = new StringBuilder("#");
            int count = t.length + r.nextInt(3) - 1;
            boolean follow = r.nextBoolean(); // mostly the template's own words, so its path reads them
            for (int w = 0; w < count; w++) {
                String word = words[r.nextInt(words.length)];
                while (follow && w < t.length && r.nextInt(16) != 0 && !fits(word, t[w])) {
                    word = words[r.nextInt(words.length)];
                }
                s.append(r.nextInt(16) == 0 ? "  " : " ").append(word);
            }
            byte[] l = s.append(r.nextBoolean() ? "" : " ").toString().getBytes(StandardCharsets.US_ASCII);
            boolean okA = a.split(l, 1, l.length, t);
            boolean okB = b.split(l, 1, l.length);
            assertEquals(okB, okA, s.toString());
            assertEquals(b.words, a.words, s.toString());
            for (int w = 0; w < b.words; w++) {
                assertEquals(b.starts[w], a.starts[w], s.toString());
                assertEquals(b.ends[w], a.ends[w], s.toString());
            }
            assertEquals(b.firstHasEquals, a.firstHasEquals, s.toString());
            for (int k = 0; k <= BodyWords.K_UNMAPPED_SIZE; k++) {
                assertEquals(b.at(k), a.at(k), s.toString());
                assertEquals(b.hexField(k), a.hexField(k), s.toString());
            }
        }
    }
}
