package org.iommulab.platform.internal.dma;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** The gate of one DmaApi: open, releasing (creating calls refused, releases pass), retired; only the swap waits. */
class CallGateTest {
    private final CallGate gate = new CallGate();

    @Test
    void anOpenGateCountsCallsInFlight() {
        assertTrue(gate.enterCreating());
        assertTrue(gate.enterReleasing());
        assertEquals(2, gate.inFlight());
        gate.exit();
        gate.exit();
        assertEquals(0, gate.inFlight());
        assertFalse(gate.isReleasing());
    }

    @Test
    void whileReleasingCreatingCallsAreRefusedAtOnceAndReleasesPass() {
        gate.beginRelease();
        assertFalse(gate.enterCreating());
        assertEquals(0, gate.inFlight());
        assertTrue(gate.enterReleasing());
        gate.exit();
        assertFalse(gate.isRetired());
    }

    @Test
    void retireWaitsForTheCallsInFlightThenRefusesEverything() throws Exception {
        assertTrue(gate.enterCreating());
        assertFalse(gate.retireWhenIdle(TimeUnit.MILLISECONDS.toNanos(20)), "a call in flight: the bound passes first");
        assertFalse(gate.isRetired(), "nothing changed but the release");
        assertTrue(gate.enterReleasing(), "releases still pass");
        gate.exit();
        CompletableFuture<Boolean> retired = CompletableFuture.supplyAsync(() -> gate.retireWhenIdle(TimeUnit.SECONDS.toNanos(10)));
        gate.exit();
        assertTrue(retired.get(10, TimeUnit.SECONDS));
        assertTrue(gate.isRetired());
        assertFalse(gate.enterCreating());
        assertFalse(gate.enterReleasing());
        assertEquals(0, gate.inFlight());
    }

    @Test
    void retireNowDoesNotWait() {
        assertTrue(gate.enterReleasing());
        gate.retireNow();
        assertTrue(gate.isRetired());
        assertFalse(gate.enterReleasing());
        gate.exit();
        assertEquals(0, gate.inFlight());
    }
}
