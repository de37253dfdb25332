package org.iommulab.platform.internal.checker;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import org.iommulab.api.admin.Stat;
import org.iommulab.api.checker.Finding;
import org.iommulab.api.checker.FindingKind;
import org.iommulab.api.checker.FindingListener;
import org.iommulab.api.dma.DmaDirection;
import org.iommulab.platform.internal.core.BoundedHistory;
import org.iommulab.platform.internal.stats.StatCounters;

/**
 * Where the checker's findings go, one per platform: numbered in order, counted
 * ({@link Stat#CHECKER_FINDINGS} of the device on its backend), kept in a bounded history and
 * told to every {@link FindingListener} (whiteboard). A listener that
 * throws is logged in the device's log and the others are still told. Callers deliver outside
 * their locks and gates, so a listener may call anything.
 */
public final class FindingHub {
    /** Findings kept for {@code PlatformAdmin.findings()}. */
    public static final int HISTORY = 1000;
    /** dma-debug's {@code pr_fmt}. */
    public static final String PREFIX = "DMA-API: ";

    private final AtomicLong sequence = new AtomicLong();
    private final BoundedHistory<Finding> history = new BoundedHistory<>(HISTORY);
    private final CopyOnWriteArrayList<FindingListener> listeners = new CopyOnWriteArrayList<>();

    /**
     * A new finding, numbered now; {@code body} is the message after "DMA-API: " in
     * dma-debug's words, and the device name goes in front of it as Linux's
     * {@code err_printk} puts the driver and device there.
     */
    public Finding create(String device, String backend, FindingKind kind, String body, long dmaAddress, long size,
            DmaDirection dir, String mappedAt, String calledAt) {
        return new Finding(sequence.incrementAndGet(), device, backend, kind, message(device, body), dmaAddress, size,
                dir, mappedAt, calledAt);
    }

    /** The full message: "DMA-API: {device}: {body}". */
    public static String message(String device, String body) {
        return PREFIX + device + ": " + body;
    }

    /** Counts, keeps and tells {@code f}; listener failures go to {@code log}. */
    public void publish(Finding f, StatCounters stats, Consumer<String> log) {
        if (stats != null) {
            stats.increment(Stat.CHECKER_FINDINGS);
        }
        history.add(f);
        for (FindingListener l : listeners) {
            try {
                l.findingReported(f);
            } catch (RuntimeException e) {
                log.accept("finding listener " + l + " failed: " + e);
            }
        }
    }

    /** The most recent findings, oldest first. */
    public List<Finding> findings() {
        return history.snapshot();
    }

    public void addListener(FindingListener l) {
        if (l != null) {
            listeners.addIfAbsent(l);
        }
    }

    public void removeListener(FindingListener l) {
        listeners.remove(l);
    }
}
