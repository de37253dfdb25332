package org.iommulab.platform.internal.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** The bus gate: a released generation is refused, the device's own accesses are blocked while switching, nobody waits but the swap. */
class BusGateTest {
    private final BusGate gate = new BusGate();

    @Test
    void accessesPassAndAreCountedUntilTheyLeave() {
        assertEquals(BusGate.PASS, gate.enter(3));
        assertEquals(BusGate.PASS, gate.enter(BusGate.DEVICE_GENERATION));
        assertEquals(2, gate.inFlight());
        gate.exit();
        gate.exit();
        assertEquals(0, gate.inFlight());
    }

    @Test
    void aReleasedGenerationIsRefusedAndNewerOnesPass() {
        gate.release(3);
        assertEquals(BusGate.STALE, gate.enter(2));
        assertEquals(BusGate.STALE, gate.enter(3));
        assertEquals(0, gate.inFlight(), "a refused access leaves nothing behind");
        assertEquals(BusGate.PASS, gate.enter(4));
        gate.exit();
        gate.release(1);
        assertEquals(3, gate.released(), "releases only go forward");
        assertEquals(BusGate.PASS, gate.enter(BusGate.DEVICE_GENERATION), "the device's own bus master is never released");
        gate.exit();
    }

    @Test
    void whileSwitchingTheDevicesOwnAccessesAreRefusedNotHeld() {
        gate.beginSwitch();
        assertEquals(BusGate.BLOCKED, gate.enter(BusGate.DEVICE_GENERATION));
        assertTrue(gate.isSwitching());
        gate.endSwitch();
        assertFalse(gate.isSwitching());
        assertEquals(BusGate.PASS, gate.enter(BusGate.DEVICE_GENERATION));
        gate.exit();
    }

    @Test
    void awaitIdleWaitsForAccessesInFlightAndNoLongerThanItsBound() throws Exception {
        assertEquals(BusGate.PASS, gate.enter(1));
        gate.release(1);
        gate.beginSwitch();
        assertFalse(gate.awaitIdle(TimeUnit.MILLISECONDS.toNanos(20)), "an access in flight: the bound passes first");
        CompletableFuture<Boolean> idle = CompletableFuture.supplyAsync(() -> gate.awaitIdle(TimeUnit.SECONDS.toNanos(10)));
        gate.exit();
        assertTrue(idle.get(10, TimeUnit.SECONDS));
        assertTrue(gate.awaitIdle(0), "idle: no wait at all");
    }
}
