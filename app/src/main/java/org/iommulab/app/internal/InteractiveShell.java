package org.iommulab.app.internal;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Filter;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.util.tracker.ServiceTracker;

/**
 * The Gogo shell on the process's stdin/stdout, for {@code --shell}.
 *
 * <p>The launch properties set {@code gosh.args=--nointeractive}, so the gogo.shell bundle
 * never reads stdin by itself (batch runs neither block on stdin nor get stopped by its
 * end). For {@code --shell} this class runs {@code gosh --login --noshutdown} on the main
 * thread: it returns when the user types {@code exit} or stdin ends, and the launcher then
 * stops the framework.
 */
final class InteractiveShell {

    private static final long WAIT_MILLIS = 10_000;
    private static final String GOSH_FILTER =
        "(&(" + CommandProcessor.COMMAND_SCOPE + "=gogo)(" + CommandProcessor.COMMAND_FUNCTION + "=gosh))";

    private final BundleContext context;

    InteractiveShell(BundleContext context) {
        this.context = context;
    }

    /** @return the process exit status */
    int run() throws Exception {
        ServiceTracker<CommandProcessor, CommandProcessor> processors =
            new ServiceTracker<>(context, CommandProcessor.class, null);
        ServiceTracker<Object, Object> gosh = new ServiceTracker<>(context, goshFilter(), null);
        processors.open();
        gosh.open();
        try {
            CommandProcessor processor = processors.waitForService(WAIT_MILLIS);
            if (processor == null || gosh.waitForService(WAIT_MILLIS) == null) {
                System.err.println("iommulab: the Gogo shell is not available");
                return 2;
            }
            // The raw file descriptors, as gogo.shell's own Activator does: gogo.runtime
            // replaces System.out/err with per-thread streams, and handing those back to a
            // session makes its output loop into itself.
            CommandSession session = processor.createSession(
                new FileInputStream(FileDescriptor.in),
                new FileOutputStream(FileDescriptor.out),
                new FileOutputStream(FileDescriptor.err));
            try {
                session.execute("gosh --login --noshutdown");
            } finally {
                session.close();
            }
            return 0;
        } finally {
            gosh.close();
            processors.close();
        }
    }

    private Filter goshFilter() throws InvalidSyntaxException {
        return context.createFilter(GOSH_FILTER);
    }
}
