package org.iommulab.app.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The command line of {@code java -jar iommulab.jar}, as the main job understands it. */
record CommandLine(boolean shell, List<String> arguments) {

    static final String SHELL = "--shell";

    CommandLine {
        arguments = List.copyOf(arguments);
    }

    /**
     * @param launcherArguments the value of the launcher's {@code launcher.arguments}
     *     service property: a {@code String[]}, or null when there were none
     */
    static CommandLine parse(Object launcherArguments) {
        List<String> rest = new ArrayList<>();
        if (launcherArguments instanceof String[] given) {
            Collections.addAll(rest, given);
        } else if (launcherArguments != null) {
            throw new IllegalArgumentException(
                "launcher.arguments is not a String[]: " + launcherArguments.getClass().getName());
        }
        boolean shell = rest.remove(SHELL);
        return new CommandLine(shell, rest);
    }
}
