package org.iommulab.app.internal;

import java.lang.management.ManagementFactory;

import org.iommulab.app.cli.Relaunch;

/**
 * Where the main job's start goes, for {@code -Diommulab.timeline=true}: one line on stderr per
 * step, in milliseconds since the JVM started (the README's P8 row is the whole of it). Off by
 * default, and then nothing is loaded for it (the management classes cost a start of their own).
 */
final class Timeline {
    static final String PROPERTY = "iommulab.timeline";
    private static final boolean ON = Boolean.getBoolean(PROPERTY);

    private Timeline() {
    }

    private static boolean hooked;

    /**
     * How this JVM came to run the job: started by the user, or relaunched by the jar's Main
     * ({@link Relaunch}), and then whether with the class-data sharing archive.
     */
    static String origin() {
        if (!Relaunch.isChild()) {
            return "started directly";
        }
        boolean archive = ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .anyMatch(a -> a.startsWith("-XX:SharedArchiveFile="));
        return "relaunched by iommulab.jar's Main, C1 only, serial GC, " + (archive ? "with" : "without")
                + " the class-data sharing archive";
    }

    static synchronized void mark(String step) {
        if (ON) {
            if (!hooked) {
                hooked = true;
                Runtime.getRuntime().addShutdownHook(new Thread(() -> mark("JVM exits"), "iommulab-timeline"));
                System.err.println("iommulab: timeline: this JVM: " + origin());
            }
            // Host time on purpose: this measures the host's start-up, not simulated behaviour.
            long ms = System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
            System.err.println("iommulab: timeline: " + ms + " ms " + step);
        }
    }
}
