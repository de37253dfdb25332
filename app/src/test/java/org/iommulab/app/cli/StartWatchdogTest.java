package org.iommulab.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

/** The bound on the wait for the container to call the main job. */
class StartWatchdogTest {
    @Test
    void aJobThatNeverComesIsReportedOnce() throws Exception {
        AtomicReference<String> said = new AtomicReference<>();
        CountDownLatch failed = new CountDownLatch(1);
        Thread t = StartWatchdog.start(20, () -> false, m -> {
            said.set(m);
            failed.countDown();
        });
        assertTrue(t.isDaemon(), "a daemon: it never keeps the JVM alive");
        assertTrue(failed.await(30, TimeUnit.SECONDS), "the watchdog never gave up");
        t.join(30_000);
        assertFalse(t.isAlive());
        assertTrue(said.get().contains("did not call the main job"), said.get());
        assertTrue(said.get().contains("status 2") && said.get().contains("-Diommulab.start.limit="), said.get());
    }

    @Test
    void aJobThatComesEndsTheWatchdogWithoutAWord() throws Exception {
        AtomicReference<String> said = new AtomicReference<>();
        AtomicBoolean started = new AtomicBoolean();
        // A bound of an hour: only the flag can end this thread.
        Thread t = StartWatchdog.start(3_600_000, started::get, said::set);
        started.set(true);
        t.join(30_000);
        assertFalse(t.isAlive(), "the watchdog did not end once the job came");
        assertNull(said.get());
    }

    @Test
    void theBoundIsThePropertysSecondsWhenPositiveElseTwoMinutes() {
        assertEquals(120_000, StartWatchdog.limitMillis(null));
        assertEquals(5_000, StartWatchdog.limitMillis("5"));
        assertEquals(5_000, StartWatchdog.limitMillis(" 5 "));
        assertEquals(120_000, StartWatchdog.limitMillis("0"));
        assertEquals(120_000, StartWatchdog.limitMillis("-3"));
        assertEquals(120_000, StartWatchdog.limitMillis("soon"));
        assertEquals(120_000, StartWatchdog.limitMillis("100000000"), "more than a day");
    }
}
