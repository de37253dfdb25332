package org.iommulab.iopgtable.lpae;

import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

/**
 * {@link WalkScratch#get} skips the ThreadLocal for the first thread that asked; it
 * must still hand each thread its own scratch, every time (two writers of one table walk in
 * parallel, each in its own scratch, as Linux's on their own kernel stacks).
 */
class WalkScratchTest {
    @Test
    void eachThreadAlwaysGetsItsOwn() throws InterruptedException {
        WalkScratch mine = WalkScratch.get();
        assertSame(mine, WalkScratch.get(), "the same thread again: its own");
        AtomicReference<WalkScratch> first = new AtomicReference<>();
        AtomicReference<WalkScratch> second = new AtomicReference<>();
        Thread other = new Thread(() -> {
            first.set(WalkScratch.get());
            second.set(WalkScratch.get());
        });
        other.start();
        other.join();
        assertNotSame(mine, first.get(), "another thread's is not this one's");
        assertSame(first.get(), second.get(), "and stays that thread's");
        assertSame(mine, WalkScratch.get(), "after another thread asked, this one still gets its own");
    }
}
