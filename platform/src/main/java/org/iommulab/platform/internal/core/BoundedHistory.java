package org.iommulab.platform.internal.core;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/** The most recent items of something (a device's log, the platform's faults), oldest first. Thread-safe. */
public final class BoundedHistory<T> {
    private final int capacity;
    private final ArrayDeque<T> items = new ArrayDeque<>();

    public BoundedHistory(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("history capacity must be positive, got " + capacity);
        }
        this.capacity = capacity;
    }

    /** Adds {@code item}, dropping the oldest when full. */
    public synchronized void add(T item) {
        if (items.size() == capacity) {
            items.removeFirst();
        }
        items.addLast(item);
    }

    /** A copy of the items, oldest first. */
    public synchronized List<T> snapshot() {
        return new ArrayList<>(items);
    }

    public synchronized int size() {
        return items.size();
    }
}
