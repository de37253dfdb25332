package org.iommulab.devices.internal.core;

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
        int first = -1;
        int n = Math.min(expected.length, got.length);
        for (int i = 0; i < n; i++) {
            if (expected[i] != got[i]) {
                bad++;
                if (first < 0) {
                    first = i;
                }
            }
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
