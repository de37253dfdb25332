package org.iommulab.app.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.iommulab.api.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;
import org.osgi.service.log.LogEntry;
import org.osgi.service.log.LogLevel;

class LogPrinterTest {
    private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
    private final PrintStream err = new PrintStream(buf, true, StandardCharsets.UTF_8);

    private static LogEntry entry(LogLevel level, String message, Throwable t) {
        return new LogEntry() {
            @Override
            public Bundle getBundle() {
                return null;
            }

            @Override
            public ServiceReference<?> getServiceReference() {
                return null;
            }

            @Override
            @SuppressWarnings("deprecation")
            public int getLevel() {
                return level.ordinal();
            }

            @Override
            public String getMessage() {
                return message;
            }

            @Override
            public Throwable getException() {
                return t;
            }

            @Override
            public long getTime() {
                return 0;
            }

            @Override
            public LogLevel getLogLevel() {
                return level;
            }

            @Override
            public String getLoggerName() {
                return "test";
            }

            @Override
            public long getSequence() {
                return 0;
            }

            @Override
            public String getThreadInfo() {
                return "test";
            }

            @Override
            public StackTraceElement getLocation() {
                return null;
            }
        };
    }

    private String printed() {
        return buf.toString(StandardCharsets.UTF_8);
    }

    @Test
    void warningsAndErrorsPrintOnceInfoOnlyWhenVerbose() {
        LogPrinter quiet = new LogPrinter(err, false);
        quiet.release(false);
        LogEntry warn = entry(LogLevel.WARN, "w", null);
        quiet.logged(warn);
        quiet.logged(warn);
        quiet.logged(entry(LogLevel.INFO, "i", null));
        quiet.logged(entry(LogLevel.DEBUG, "d", null));
        quiet.logged(entry(LogLevel.ERROR, "e", null));
        assertEquals("iommulab: framework: WARN: w\niommulab: framework: ERROR: e\n", printed().replace("\r", ""));
        buf.reset();
        LogPrinter verbose = new LogPrinter(err, true);
        verbose.release(false);
        verbose.logged(entry(LogLevel.INFO, "i", null));
        verbose.logged(entry(LogLevel.DEBUG, "d", null));
        assertEquals("iommulab: framework: INFO: i\niommulab: framework: DEBUG: d\n", printed().replace("\r", ""));
    }

    @Test
    void theExceptionShownIsTheInnermostCause() {
        Throwable wrapped = new IllegalStateException("activation failed",
                new ConfigException("org.iommulab.swiotlb", "size", "32X", "a size"));
        assertEquals("iommulab: framework: ERROR: m: org.iommulab.api.config.ConfigException: configuration"
                + " org.iommulab.swiotlb: size=32X: a size", LogPrinter.format(entry(LogLevel.ERROR, "m", wrapped), false));
        assertTrue(LogPrinter.format(entry(LogLevel.ERROR, "m", wrapped), true).contains("\tat "));
    }

    @Test
    void heldEntriesAreCountedWhenTheConfigurationWasInvalidAndPrintedOtherwise() {
        LogPrinter p = new LogPrinter(err, false);
        p.logged(entry(LogLevel.WARN, "a", null));
        p.logged(entry(LogLevel.ERROR, "b", null));
        assertEquals("", printed(), "held back until released");
        p.release(true);
        assertEquals("iommulab: 2 warning(s) and error(s) of the bundles followed from that; --verbose shows them\n",
                printed().replace("\r", ""));
        buf.reset();
        LogPrinter q = new LogPrinter(err, false);
        q.logged(entry(LogLevel.WARN, "a", null));
        q.release(false);
        assertEquals("iommulab: framework: WARN: a\n", printed().replace("\r", ""));
    }
}
