package org.iommulab.devices.internal.camera;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * {@link CameraSensor#pixels} (a block copy from shifted ramps) writes exactly the bytes
 * {@link CameraSensor#pixel} defines, at any offset, length and frame number.
 */
class CameraSensorPatternTest {

    @Test
    void aWorkedByteFromTheDefinition() {
        // pixel(3, 1300): 1300 * 7 = 9100, line 1300 / 1024 = 1 -> 13, frame 3 * 101 = 303,
        // 1300 >>> 8 = 5; 9100 + 13 + 303 + 5 = 9421 = 36 * 256 + 205 -> (byte) 205 = -51.
        byte[] one = new byte[1];
        CameraSensor.pixels(3, 1300, one, 0, 1);
        assertEquals((byte) -51, one[0]);
        assertEquals((byte) -51, CameraSensor.pixel(3, 1300));
    }

    @Test
    void blockCopiesEqualTheDefinitionEverywhere() {
        Random rnd = new Random(42);
        int[] frames = {0, 1, 2, 255, 256, 1000, Integer.MAX_VALUE / 101 + 3, -7};
        for (int frame : frames) {
            for (int k = 0; k < 200; k++) {
                int offset = k < 4 ? k * 256 : rnd.nextInt(3 << 20);
                int n = k % 3 == 0 ? rnd.nextInt(70_000) : rnd.nextInt(600);
                int dstOffset = rnd.nextInt(5);
                byte[] got = new byte[dstOffset + n + 3];
                CameraSensor.pixels(frame, offset, got, dstOffset, n);
                for (int i = 0; i < n; i++) {
                    if (got[dstOffset + i] != CameraSensor.pixel(frame, offset + i)) {
                        assertEquals(CameraSensor.pixel(frame, offset + i), got[dstOffset + i],
                                "frame " + frame + " byte " + (offset + i));
                    }
                }
                // Nothing written outside the range asked for.
                for (int i = 0; i < dstOffset; i++) {
                    assertEquals(0, got[i]);
                }
                for (int i = dstOffset + n; i < got.length; i++) {
                    assertEquals(0, got[i]);
                }
            }
        }
    }

    @Test
    void aRangeOutsideTheDestinationIsRefusedAndWritesNothing() {
        byte[] dst = new byte[16];
        assertThrows(IllegalArgumentException.class, () -> CameraSensor.pixels(0, 0, dst, 8, 9));
        assertThrows(IllegalArgumentException.class, () -> CameraSensor.pixels(0, -1, dst, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> CameraSensor.pixels(0, 0, dst, 0, -1));
        assertEquals(16, java.util.stream.IntStream.range(0, 16).filter(i -> dst[i] == 0).count());
    }
}
