package org.iommulab.devices.internal.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;

import org.junit.jupiter.api.Test;

/** {@link DataCheck#compare} counts every wrong byte and finds the first, whatever the runs. */
class DataCheckTest {

    @Test
    void workedCases() {
        // Positions 1, 3 and 4 differ: three wrong bytes, the first at 1.
        DataCheck.Mismatch m = DataCheck.compare(new byte[] {1, 2, 3, 4, 5, 6}, new byte[] {1, 0, 3, 0, 0, 6});
        assertEquals(3, m.bad());
        assertEquals(1, m.first());
        assertEquals(6, m.total());
        // Equal prefix, two bytes missing: both count, the first missing one is the first wrong.
        m = DataCheck.compare(new byte[] {1, 2, 3, 4, 5, 6}, new byte[] {1, 2, 3, 4});
        assertEquals(2, m.bad());
        assertEquals(4, m.first());
        // Equal: nothing wrong, no first.
        m = DataCheck.compare(new byte[] {9, 9}, new byte[] {9, 9});
        assertEquals(0, m.bad());
        assertEquals(-1, m.first());
        // The last byte alone.
        m = DataCheck.compare(new byte[] {1, 2, 3}, new byte[] {1, 2, 4});
        assertEquals(1, m.bad());
        assertEquals(2, m.first());
    }

    @Test
    void countsAsAByteByByteWalkDoes() {
        Random rnd = new Random(7);
        for (int k = 0; k < 500; k++) {
            int n = rnd.nextInt(3000);
            byte[] expected = new byte[n];
            rnd.nextBytes(expected);
            byte[] got = expected.clone();
            int runs = rnd.nextInt(6);
            for (int r = 0; r < runs && n > 0; r++) {
                int at = rnd.nextInt(n);
                int len = Math.min(n - at, 1 + rnd.nextInt(100));
                for (int i = at; i < at + len; i++) {
                    if (rnd.nextInt(4) != 0) {
                        got[i] ^= (byte) (1 + rnd.nextInt(255));
                    }
                }
            }
            long bad = 0;
            int first = -1;
            for (int i = 0; i < n; i++) {
                if (expected[i] != got[i]) {
                    bad++;
                    first = first < 0 ? i : first;
                }
            }
            DataCheck.Mismatch m = DataCheck.compare(expected, got);
            assertEquals(bad, m.bad(), "case " + k);
            assertEquals(first, m.first(), "case " + k);
        }
    }
}
