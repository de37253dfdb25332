package org.iommulab.devices.internal.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;

import org.junit.jupiter.api.Test;

/** SeqRandom against java.util.Random, whose algorithm its javadoc specifies: the same values. */
class SeqRandomTest {
    @Test
    void everyMethodGivesWhatRandomGivesForTheSameSeed() {
        long[] seeds = {0, 1, -1, 42, 0x5DEECE66DL, Long.MIN_VALUE, Long.MAX_VALUE, 0x1234_5678_9ABC_DEF0L};
        for (long seed : seeds) {
            Random want = new Random(seed);
            Random got = new SeqRandom(seed);
            for (int i = 0; i < 200; i++) {
                String at = "seed " + seed + ", step " + i;
                byte[] a = new byte[i % 13 + (i % 5 == 0 ? 4096 : 0)];
                byte[] b = new byte[a.length];
                want.nextBytes(a);
                got.nextBytes(b);
                assertArrayEquals(a, b, at);
                assertEquals(want.nextInt(), got.nextInt(), at);
                assertEquals(want.nextInt(1 + i * 37), got.nextInt(1 + i * 37), at);
                assertEquals(want.nextLong(), got.nextLong(), at);
                assertEquals(want.nextBoolean(), got.nextBoolean(), at);
                assertEquals(want.nextDouble(), got.nextDouble(), at);
                assertEquals(want.nextGaussian(), got.nextGaussian(), at);
                assertEquals(want.nextFloat(), got.nextFloat(), at);
                if (i == 100) {
                    want.setSeed(seed ^ i);
                    got.setSeed(seed ^ i);
                }
            }
        }
    }

    @Test
    void aKnownValueOfTheSpecifiedGenerator() {
        // Random(42): seed0 = 42 ^ 0x5DEECE66D = 0x5DEECE647; seed1 = (seed0 * 0x5DEECE66D + 0xB) mod 2^48
        // = 0xBB20B4600A69, and nextInt() = (int) (seed1 >>> 16) = 0xBB20B460 = -1170105035.
        assertEquals(-1170105035, new SeqRandom(42).nextInt());
    }
}
