package org.iommulab.devices.internal.core;

import java.util.Arrays;
import java.util.Random;

import org.iommulab.api.dma.SgMiter;
import org.iommulab.api.dma.SgTable;
import org.iommulab.api.platform.MemoryAccess;

/** Test data and the end-to-end comparison the drivers do from the CPU side. */
public final class DataCheck {
    private DataCheck() {
    }

    /** {@code len} pseudo-random bytes. */
    public static byte[] random(Random rnd, int len) {
        byte[] b = new byte[len];
        rnd.nextBytes(b);
        return b;
    }

    /** Writes {@code data} over the CPU view of {@code sg} (entry by entry, page by page). */
    public static void fill(MemoryAccess cpu, SgTable sg, byte[] data) {
        SgMiter m = new SgMiter(sg);
        while (m.next()) {
            cpu.write(m.phys(), data, (int) m.transferOffset(), m.length());
        }
    }

    /** Reads the CPU view of {@code sg}, {@code len} bytes. */
    public static byte[] read(MemoryAccess cpu, SgTable sg, int len) {
        byte[] got = new byte[len];
        SgMiter m = new SgMiter(sg);
        while (m.next() && m.transferOffset() < len) {
            int n = (int) Math.min(m.length(), len - m.transferOffset());
            cpu.read(m.phys(), got, (int) m.transferOffset(), n);
        }
        return got;
    }

    /** Wrong bytes of {@code got} against {@code expected}, and where the first is. */
    public static Mismatch compare(byte[] expected, byte[] got) {
        int n = Math.min(expected.length, got.length);
        // Arrays.mismatch skips the equal stretch at memory speed (a clean run compares in one
        // call); from the first difference on, the wrong bytes are counted one by one.
        int first = Arrays.mismatch(expected, 0, n, got, 0, n);
        long bad = first < 0 ? 0 : countDifferent(expected, got, first, n);
        bad += Math.abs(expected.length - got.length);
        if (first < 0 && expected.length != got.length) {
            first = n;
        }
        return new Mismatch(bad, first, expected.length);
    }

    /**
     * The bytes of {@code [from, to)} where {@code a} and {@code b} differ, one plain comparison
     * a byte: a badly corrupted buffer (a third of its bytes wrong, scattered) cost a call of
     * {@code Arrays.mismatch} per wrong byte before. Plain array code on purpose: the main job
     * is over in a second or two, so this runs interpreted or C1-compiled as much as C2-compiled,
     * and a VarHandle read of eight bytes at a time was measured slower there (the main job's
     * runs took 250 ms longer with it).
     */
    static long countDifferent(byte[] a, byte[] b, int from, int to) {
        long bad = 0;
        for (int i = from; i < to; i++) {
            if (a[i] != b[i]) {
                bad++;
            }
        }
        return bad;
    }

    /** The outcome of {@link #compare}: {@code bad} wrong bytes of {@code total}, the first at {@code first}. */
    public record Mismatch(long bad, int first, int total) {
        public boolean ok() {
            return bad == 0;
        }

        public String describe(String what) {
            return what + ": " + bad + " of " + total + " bytes wrong, first at offset " + first;
        }
    }
}
