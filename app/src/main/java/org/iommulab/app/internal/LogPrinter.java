package org.iommulab.app.internal;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import org.osgi.framework.Bundle;
import org.osgi.service.log.LogEntry;
import org.osgi.service.log.LogLevel;
import org.osgi.service.log.LogListener;
import org.osgi.service.log.LogReaderService;

/**
 * The application's one logging path: what any bundle logs through the OSGi Log Service
 * (Declarative Services' activation errors, FileInstall's, the platform's) printed to standard
 * error with the bundle's symbolic name: warnings and errors always, information and debug
 * messages with {@code --verbose} (then with the exception's stack too). Standard output is
 * left to the results a user asked for.
 *
 * <p>The Log Service keeps recent entries; those logged before {@link #open} (while the
 * framework started) count too, in the order they were logged. Until {@link #release} the
 * entries are held back: when the configuration turns out invalid, the main job prints what is
 * wrong with it and the cascade that followed (a backend that refused its configuration, then
 * every component that wanted it) is only counted, unless {@code --verbose}. Thread-safe: the
 * Log Service calls {@link #logged} from its own thread.
 */
final class LogPrinter implements LogListener {
    private final PrintStream err;
    private final boolean verbose;
    /** Entries already printed, so that one both in the history and delivered live prints once. */
    private final Map<LogEntry, Boolean> printed = Collections.synchronizedMap(new IdentityHashMap<>());
    private LogReaderService reader;
    /** Entries held back until {@link #release}; null once released. */
    private List<String> held = new ArrayList<>();

    LogPrinter(PrintStream err, boolean verbose) {
        this.err = err;
        this.verbose = verbose;
    }

    /** Starts listening and prints the entries logged so far. */
    void open(LogReaderService logReader) {
        reader = logReader;
        logReader.addLogListener(this);
        List<LogEntry> history = new ArrayList<>();
        // getLog() gives the newest entry first.
        for (Enumeration<LogEntry> e = logReader.getLog(); e.hasMoreElements();) {
            history.add(e.nextElement());
        }
        Collections.reverse(history);
        history.forEach(this::logged);
    }

    void close() {
        if (reader != null) {
            reader.removeLogListener(this);
        }
    }

    @Override
    public void logged(LogEntry entry) {
        if (!shown(entry.getLogLevel()) || printed.put(entry, Boolean.TRUE) != null) {
            return;
        }
        String line = format(entry, verbose);
        synchronized (this) {
            if (held != null) {
                held.add(line);
                return;
            }
        }
        print(line);
    }

    /**
     * Prints the entries held back, or, when {@code quiet} and not verbose, only how many there
     * were; from then on entries print as they come.
     */
    void release(boolean quiet) {
        List<String> lines;
        synchronized (this) {
            lines = held;
            held = null;
        }
        if (lines == null || lines.isEmpty()) {
            return;
        }
        if (quiet && !verbose) {
            print("iommulab: " + lines.size() + " warning(s) and error(s) of the bundles followed from that; --verbose shows them");
        } else {
            lines.forEach(this::print);
        }
    }

    private void print(String line) {
        synchronized (err) {
            err.println(line);
            err.flush();
        }
    }

    private boolean shown(LogLevel level) {
        return verbose || level == LogLevel.AUDIT || level == LogLevel.ERROR || level == LogLevel.WARN;
    }

    /**
     * {@code iommulab: BUNDLE: LEVEL: message: exception} on one line, the exception as its
     * innermost cause (the ConfigException under DS's wrapping, say), with its stack when verbose.
     */
    static String format(LogEntry entry, boolean withStack) {
        Bundle b = entry.getBundle();
        String who = b == null || b.getSymbolicName() == null ? "framework" : b.getSymbolicName();
        StringBuilder s = new StringBuilder("iommulab: ").append(who).append(": ").append(entry.getLogLevel()).append(": ")
                .append(entry.getMessage());
        Throwable t = entry.getException();
        if (t != null) {
            Throwable root = t;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            s.append(": ").append(root);
            if (withStack) {
                StringWriter w = new StringWriter();
                t.printStackTrace(new PrintWriter(w));
                s.append(System.lineSeparator()).append(w);
            }
        }
        return s.toString();
    }
}
