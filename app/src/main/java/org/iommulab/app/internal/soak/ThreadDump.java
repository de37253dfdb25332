package org.iommulab.app.internal.soak;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;

/** Every thread of the JVM with its whole stack, the lock it waits on and who holds it: what a suspected deadlock is reported with. */
final class ThreadDump {
    private ThreadDump() {
    }

    static String all() {
        StringBuilder b = new StringBuilder();
        for (ThreadInfo t : ManagementFactory.getThreadMXBean().dumpAllThreads(true, true)) {
            b.append('"').append(t.getThreadName()).append("\" ").append(t.getThreadState());
            if (t.getLockName() != null) {
                b.append(" on ").append(t.getLockName());
                if (t.getLockOwnerName() != null) {
                    b.append(" owned by \"").append(t.getLockOwnerName()).append('"');
                }
            }
            // ThreadInfo.toString() cuts stacks at 8 frames; a deadlock report needs all of them.
            for (StackTraceElement e : t.getStackTrace()) {
                b.append("\n\tat ").append(e);
            }
            b.append('\n');
        }
        long[] deadlocked = ManagementFactory.getThreadMXBean().findDeadlockedThreads();
        if (deadlocked != null) {
            b.append("JVM-detected monitor/ownable-synchronizer deadlock among thread ids ")
                    .append(java.util.Arrays.toString(deadlocked)).append('\n');
        }
        return b.toString();
    }
}
