package org.iommulab.app.internal;

import java.io.PrintStream;

/**
 * The batch job run without {@code --shell}. PLACEHOLDER: prints one line and succeeds;
 * the real main job replaces the body of {@link #run}.
 */
final class BatchJob {

    static final String PLACEHOLDER_LINE = "iommulab: main job placeholder";

    private BatchJob() {
    }

    /** @return the process exit status */
    static int run(CommandLine commandLine, PrintStream out) {
        out.println(PLACEHOLDER_LINE);
        out.flush();
        return 0;
    }
}
