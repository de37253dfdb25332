package org.iommulab.app.cli;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Bounds the wait for the container to call the main job. bnd's launcher waits without a bound
 * for the job's {@code Callable} ({@code MainJob}, registered once the app bundle resolves and SCR
 * activates it), so a container whose app bundle does not resolve would hold the jar for ever;
 * the launcher has printed by then which bundle did not start and why. This says that the job
 * never came and ends the JVM with status 2.
 *
 * <p>Host time on purpose: it bounds a real wait, it is not simulated behaviour.
 */
public final class StartWatchdog {
    /**
     * Set by {@code MainJob} when the launcher calls it: a JVM-wide flag, because MainJob's class
     * loader is its bundle's, not the one this class was loaded by.
     */
    static final String STARTED = "iommulab.job.started";
    /** {@code -Diommulab.start.limit=SECONDS} changes the bound (a very slow machine). */
    static final String LIMIT = "iommulab.start.limit";
    static final long DEFAULT_LIMIT_SECONDS = 120;
    private static final long POLL_MILLIS = 50;

    private StartWatchdog() {
    }

    /** Called by {@code MainJob} when the launcher calls it: the wait is over. */
    public static void jobStarted() {
        System.setProperty(STARTED, "true");
    }

    /** The bound in ms: the property's seconds when it is a positive number, else the default. */
    static long limitMillis(String property) {
        long seconds = DEFAULT_LIMIT_SECONDS;
        if (property != null) {
            try {
                long s = Long.parseLong(property.trim());
                if (s > 0 && s <= TimeUnit.DAYS.toSeconds(1)) {
                    seconds = s;
                }
            } catch (NumberFormatException ignored) {
                // the default, as for an absent property
            }
        }
        return TimeUnit.SECONDS.toMillis(seconds);
    }

    /**
     * Starts a daemon thread that gives {@code fail} a message when {@code started} is still
     * false after {@code limitMillis}; it ends as soon as {@code started} is true.
     */
    static Thread start(long limitMillis, BooleanSupplier started, Consumer<String> fail) {
        Thread t = new Thread(() -> {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(limitMillis);
            while (!started.getAsBoolean()) {
                if (System.nanoTime() - deadline >= 0) {
                    fail.accept("iommulab: the container did not call the main job within " + limitMillis / 1000
                            + " s: a bundle it needs did not start (see the messages above); exiting with status 2"
                            + " (-D" + LIMIT + "=SECONDS sets the bound)");
                    return;
                }
                try {
                    Thread.sleep(POLL_MILLIS);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "iommulab-start-watchdog");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** The watchdog of a real launch: the flag {@link #STARTED}, status 2 by halting (the container is broken). */
    static void guard() {
        start(limitMillis(System.getProperty(LIMIT)), () -> System.getProperty(STARTED) != null, message -> {
            System.out.flush();
            System.err.println(message);
            System.err.flush();
            Runtime.getRuntime().halt(Cli.BAD_INPUT);
        });
    }
}
