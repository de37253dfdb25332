package org.iommulab.replay.internal.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * FastLine.eightDigits and eightDigitsValue, the timestamp fraction's eight-at-a-time read,
 * against Long.parseLong of the same eight characters: true and the value when every byte is
 * '0'..'9', false when any byte is anything else (every byte value tried in every place).
 */
class FastLineDigitsTest {
    private static long packed(byte[] b) {
        return java.nio.ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    @Test
    void eightDigitsReadAsTheJdkReadsThem() {
        assertEquals(12_345_678L, FastLine.eightDigitsValue(packed("12345678".getBytes(StandardCharsets.US_ASCII))));
        assertEquals(99_999_999L, FastLine.eightDigitsValue(packed("99999999".getBytes(StandardCharsets.US_ASCII))));
        assertEquals(123L, FastLine.eightDigitsValue(packed("00000123".getBytes(StandardCharsets.US_ASCII))));
        Random r = new Random(9);
        byte[] b = new byte[8];
        for (int n = 0; n < 200_000; n++) {
            for (int i = 0; i < 8; i++) {
                b[i] = (byte) ('0' + r.nextInt(10));
            }
            long x = packed(b);
            assertEquals(true, FastLine.eightDigits(x));
            assertEquals(Long.parseLong(new String(b, StandardCharsets.US_ASCII)), FastLine.eightDigitsValue(x));
        }
    }

    @Test
    void anyOtherByteAnywhereIsNoDigit() {
        byte[] b = "31415926".getBytes(StandardCharsets.US_ASCII);
        for (int at = 0; at < 8; at++) {
            for (int v = 0; v < 256; v++) {
                byte[] c = b.clone();
                c[at] = (byte) v;
                boolean digit = v >= '0' && v <= '9';
                assertEquals(digit, FastLine.eightDigits(packed(c)), "byte " + Integer.toHexString(v) + " at " + at);
            }
        }
    }
}
