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
}
