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
        long bad = 0;
        int n = Math.min(expected.length, got.length);
        // Arrays.mismatch skips equal stretches at memory speed (a clean run compares in one
        // call); only the bytes after a difference are counted one by one, until the next
        // equal stretch.
        int first = Arrays.mismatch(expected, 0, n, got, 0, n);
        for (int i = first; i >= 0 && i < n;) {
            bad++;
            i++;
            int next = Arrays.mismatch(expected, i, n, got, i, n);
            i = next < 0 ? n : i + next;
        }
        bad += Math.abs(expected.length - got.length);
        if (first < 0 && expected.length != got.length) {
            first = n;
        }
        return new Mismatch(bad, first, expected.length);
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
