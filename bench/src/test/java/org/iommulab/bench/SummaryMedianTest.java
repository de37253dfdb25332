package org.iommulab.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The median P6 takes of its forks' scores: the middle value by definition, whatever the order. */
class SummaryMedianTest {
    @Test
    void oddCountGivesTheMiddleValueOfTheSortedScores() {
        // Sorted: 1.6, 4.7, 5.1; the middle one is 4.7, not the mean (3.8) the outlier would drag down.
        assertEquals(4.7, Summary.median(new double[] {5.1, 1.6, 4.7}));
        assertEquals(2.0, Summary.median(new double[] {2.0}));
    }

    @Test
    void evenCountGivesTheMeanOfTheTwoMiddleValues() {
        // Sorted: 1, 3, 5, 100; the middle two are 3 and 5: (3 + 5) / 2 = 4.
        assertEquals(4.0, Summary.median(new double[] {100, 5, 1, 3}));
    }

    @Test
    void leavesTheCallersScoresInTheirForkOrder() {
        double[] forks = {5.1, 1.6, 4.7};
        Summary.median(forks);
        assertArrayEquals(new double[] {5.1, 1.6, 4.7}, forks);
    }

    @Test
    void noScoresIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Summary.median(new double[0]));
        assertEquals("no values to take the median of", e.getMessage());
    }
}
