package org.iommulab.devices.internal.core;

import java.util.Random;

/**
 * {@link Random}'s generator without its atomic seed: the same 48-bit linear congruential
 * generator its javadoc specifies ({@code seed = (seed * 0x5DEECE66DL + 0xBL) & ((1L << 48) - 1)},
 * {@code next(bits) = (int) (seed >>> (48 - bits))}), so every method gives exactly what a
 * {@code new Random(seed)} gives, byte for byte; the compare-and-set per 32 bits that makes
 * {@code Random} safe to share between threads is gone. The drivers make their test data with
 * it: {@code Random.nextBytes} was about 5% of the main job's samples in a JFR profile.
 *
 * <p>Not thread-safe: each driver run uses its own.
 */
public final class SeqRandom extends Random {
    private static final long serialVersionUID = 1L;
    private static final long MULTIPLIER = 0x5DEECE66DL;
    private static final long ADDEND = 0xBL;
    private static final long MASK = (1L << 48) - 1;

    /** No initializer: Random's constructor sets it through {@link #setSeed} before this class's own run. */
    private long state;

    public SeqRandom(long seed) {
        super(seed);
    }

    /** As {@link Random#setSeed}: the seed scrambled with the multiplier. */
    @Override
    public synchronized void setSeed(long seed) {
        super.setSeed(seed); // clears Random's cached nextGaussian
        state = (seed ^ MULTIPLIER) & MASK;
    }

    /**
     * As {@link Random#nextBytes}: each {@code nextInt()} gives the next four bytes, lowest byte
     * first; a last group of fewer than four bytes takes the low bytes of one more
     * {@code nextInt()}. Plain array stores: this runs interpreted and C1-compiled in the main
     * job's short JVM, where a VarHandle store costs more than it saves.
     */
    @Override
    public void nextBytes(byte[] bytes) {
        int n = bytes.length;
        int i = 0;
        long s = state;
        for (; i <= n - 4; i += 4) {
            s = step(s);
            int v = (int) (s >>> 16);
            bytes[i] = (byte) v;
            bytes[i + 1] = (byte) (v >>> 8);
            bytes[i + 2] = (byte) (v >>> 16);
            bytes[i + 3] = (byte) (v >>> 24);
        }
        if (i < n) {
            s = step(s);
            for (int v = (int) (s >>> 16); i < n; i++, v >>= 8) {
                bytes[i] = (byte) v;
            }
        }
        state = s;
    }

    /**
     * As {@link Random#nextInt()}. Overridden so that the call the NIC driver makes for each
     * byte it draws lands here, where {@link #next} binds statically (the class is final).
     */
    @Override
    public int nextInt() {
        return next(32);
    }

    @Override
    protected int next(int bits) {
        long s = step(state);
        state = s;
        return (int) (s >>> (48 - bits));
    }

    /** The generator's one step, as Random's javadoc specifies it. */
    private static long step(long seed) {
        return (seed * MULTIPLIER + ADDEND) & MASK;
    }
}
