package org.iommulab.platform.internal.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.Test;

/** The swap gate: creating calls wait while closed, releasing calls pass, close waits for calls in flight. */
class SwapGateTest {
    private final SwapGate gate = new SwapGate();

    @Test
    void anOpenGateCountsCallsInFlight() {
        gate.enterCreating();
        gate.enterReleasing();
        assertEquals(2, gate.inFlight());
        gate.exit();
        gate.exit();
        assertEquals(0, gate.inFlight());
        assertFalse(gate.isClosed());
    }

    @Test
    void closeWaitsForCallsInFlight() throws Exception {
        gate.enterCreating();
        AtomicBoolean closed = new AtomicBoolean();
        CompletableFuture<Void> swap = CompletableFuture.runAsync(() -> {
            gate.close();
            closed.set(true);
        });
        await(gate::isClosed);
        assertFalse(closed.get(), "close returned with a call in flight");
        gate.exit();
        swap.get(10, TimeUnit.SECONDS);
        assertTrue(closed.get());
        gate.open();
    }

    @Test
    void creatingCallsWaitWhileReleasingCallsPass() throws Exception {
        gate.close();
        gate.enterReleasing();
        gate.exit();
        CompletableFuture<Void> creating = CompletableFuture.runAsync(() -> {
            gate.enterCreating();
            gate.exit();
        });
        await(() -> gate.waiting() == 1);
        assertFalse(creating.isDone());
        gate.open();
        creating.get(10, TimeUnit.SECONDS);
        assertEquals(0, gate.waiting());
        assertEquals(0, gate.inFlight());
    }

    @Test
    void theClosingThreadPassesItsOwnGate() {
        gate.close();
        gate.enterCreating();
        assertEquals(1, gate.inFlight());
        gate.exit();
        assertThrows(IllegalStateException.class, gate::close);
        gate.open();
        assertFalse(gate.isClosed());
    }

    private static void await(BooleanSupplier c) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!c.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not reached within 10 s");
            }
            Thread.onSpinWait();
        }
    }
}
