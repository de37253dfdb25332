package org.iommulab.platform.internal.core;

import java.lang.management.LockInfo;
import java.lang.management.ManagementFactory;
import java.lang.management.MonitorInfo;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One driver's release (the withdrawal of its DmaApi service, inside which the framework
 * deactivates the driver) on a thread of its own, so that the swap can wait for it with a bound
 * and, when it does not end, say why: the thread's state, what it waits on and who holds that,
 * and its whole stack. A release that ends late still ends: the thread finishes on its own.
 */
final class DriverRelease {
    /** The release threads, so the platform can tell a call made from inside a driver's release. */
    private static final ThreadLocal<DriverRelease> CURRENT = new ThreadLocal<>();

    private final String device;
    private final String holder;
    private final Thread thread;
    private final CountDownLatch done = new CountDownLatch(1);
    private volatile Throwable failure;

    private DriverRelease(String device, DmaApiRegistrar.Registration registration) {
        this.device = device;
        String h;
        try {
            h = registration.holder();
        } catch (RuntimeException e) {
            h = "unknown (" + e + ")";
        }
        this.holder = h;
        this.thread = new Thread(() -> {
            CURRENT.set(this);
            try {
                registration.unregister();
            } catch (Throwable t) {
                failure = t;
            } finally {
                done.countDown();
            }
        }, "iommulab-release-" + device);
        // A release that never ends must not keep the JVM alive.
        thread.setDaemon(true);
    }

    /** Starts withdrawing {@code registration} on a new thread. */
    static DriverRelease start(String device, DmaApiRegistrar.Registration registration) {
        DriverRelease r = new DriverRelease(device, registration);
        r.thread.start();
        return r;
    }

    /** The release running on this thread, or null when this is not a release thread. */
    static DriverRelease current() {
        return CURRENT.get();
    }

    String device() {
        return device;
    }

    /**
     * Waits for the release at most {@code timeoutNanos} (host time: this is a real thread
     * waiting for another, and a bound on that wait is not simulated behaviour; nothing the
     * simulation computes depends on it, and the simulated clock, {@code SimClock}, is not
     * involved). An interrupt does not cut the wait short, as a swap must end in a
     * known state; it is kept for the caller.
     *
     * @return true when the release ended
     */
    boolean await(long timeoutNanos) {
        long deadline = System.nanoTime() + timeoutNanos;
        boolean interrupted = false;
        try {
            for (;;) {
                long left = deadline - System.nanoTime();
                try {
                    return done.await(Math.max(0, left), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    boolean isDone() {
        return done.getCount() == 0;
    }

    /** What the release threw (logged by the swap), or null. */
    Throwable failure() {
        return failure;
    }

    /**
     * Why the release has not ended: the driver (who held the DmaApi, and the first frame of
     * the stuck thread outside the platform, the framework and the JDK) and what the thread
     * waits on and who holds it. {@link #threadDump()} adds the stack.
     */
    String stuck() {
        ThreadInfo info = threadInfo();
        StringBuilder b = new StringBuilder();
        b.append("the driver of ").append(device).append(" (the DmaApi's holder: ").append(holder);
        StackTraceElement where = driverFrame(info != null ? info.getStackTrace() : thread.getStackTrace());
        if (where != null) {
            b.append("; stuck in ").append(frame(where));
        }
        b.append(")");
        if (info != null && info.getLockName() != null) {
            b.append(" waits on ").append(info.getLockName());
            if (info.getLockOwnerName() != null) {
                b.append(", held by thread \"").append(info.getLockOwnerName()).append("\" (id ")
                        .append(info.getLockOwnerId()).append(")");
            }
        } else {
            b.append(" is ").append(info != null ? info.getThreadState() : thread.getState());
        }
        return b.toString();
    }

    /** The release thread's state and whole stack, with the locks it holds and the one it waits on. */
    String threadDump() {
        ThreadInfo info = threadInfo();
        StackTraceElement[] stack = info != null ? info.getStackTrace() : thread.getStackTrace();
        StringBuilder b = new StringBuilder();
        b.append("Thread \"").append(thread.getName()).append("\" ")
                .append(info != null ? info.getThreadState() : thread.getState()).append(":");
        appendStack(b, info, stack);
        return b.toString();
    }

    /** {@code Class.method(File:line)}, without the module and loader prefixes of {@link StackTraceElement#toString()}. */
    private static String frame(StackTraceElement f) {
        return f.getClassName() + "." + f.getMethodName() + "(" + (f.isNativeMethod() ? "Native Method"
                : f.getFileName() + (f.getLineNumber() >= 0 ? ":" + f.getLineNumber() : "")) + ")";
    }

    private ThreadInfo threadInfo() {
        try {
            ThreadMXBean mx = ManagementFactory.getThreadMXBean();
            @SuppressWarnings("deprecation")
            long id = thread.getId();
            ThreadInfo[] infos = mx.getThreadInfo(new long[] {id}, mx.isObjectMonitorUsageSupported(),
                    mx.isSynchronizerUsageSupported());
            return infos.length == 1 ? infos[0] : null;
        } catch (RuntimeException | LinkageError e) {
            // No management support here: the plain stack trace still says where it is.
            return null;
        }
    }

    private static void appendStack(StringBuilder b, ThreadInfo info, StackTraceElement[] stack) {
        MonitorInfo[] monitors = info == null ? new MonitorInfo[0] : info.getLockedMonitors();
        for (int i = 0; i < stack.length; i++) {
            b.append("\n\tat ").append(frame(stack[i]));
            if (i == 0 && info != null && info.getLockInfo() != null) {
                b.append("\n\t-  waiting on ").append(info.getLockInfo());
            }
            for (MonitorInfo m : monitors) {
                if (m.getLockedStackDepth() == i) {
                    b.append("\n\t-  locked ").append(m);
                }
            }
        }
        if (info != null) {
            for (LockInfo l : info.getLockedSynchronizers()) {
                b.append("\n\t-  holds ").append(l);
            }
        }
    }

    /**
     * The first frame that is the driver's: not the JDK's, the framework's, or the release's own
     * (this class, the registrars). The platform waits nowhere a driver's release can call, so
     * the first other frame is where the driver waits.
     */
    private static StackTraceElement driverFrame(StackTraceElement[] stack) {
        for (StackTraceElement f : stack) {
            String c = f.getClassName();
            if (c.startsWith("java.") || c.startsWith("jdk.") || c.startsWith("sun.") || c.startsWith("org.apache.felix.")
                    || c.startsWith("org.osgi.") || c.startsWith(DriverRelease.class.getName())
                    || c.endsWith("Registrar") || c.contains("Registrar$")) {
                continue;
            }
            return f;
        }
        return null;
    }
}
