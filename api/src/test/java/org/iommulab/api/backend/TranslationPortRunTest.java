package org.iommulab.api.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;

import org.iommulab.api.platform.AccessType;
import org.iommulab.api.platform.DmaFault;
import org.iommulab.api.platform.DmaFaultException;
import org.iommulab.api.platform.FaultKind;
import org.junit.jupiter.api.Test;

/**
 * The default {@link TranslationPort#translateRun}: a backend that only implements
 * {@code translate} sees exactly the calls it would see page by page, so a caller's loop over
 * runs gives the same addresses and the same faults, in the same order.
 */
class TranslationPortRunTest {
    private static final long BUS = 0x10_0000L;
    private static final int PAGES = 8;

    /** Page i of BUS maps to 0x500000 + (7 - i) pages; page 3 is unmapped; page 5 is read-only. */
    private static final class PagePort implements TranslationPort {
        final List<String> calls = new ArrayList<>();
        final List<DmaFault> reported = new ArrayList<>();

        @Override
        public long translate(int streamId, long busAddr, AccessType access) {
            calls.add(Long.toHexString(busAddr) + " " + access);
            int page = (int) ((busAddr - BUS) >>> 12);
            FaultKind denied = page == 3 ? FaultKind.TRANSLATION
                    : page == 5 && access == AccessType.WRITE ? FaultKind.PERMISSION : null;
            if (denied != null) {
                DmaFault f = DmaFault.builder(denied).device("dev0", streamId).address(busAddr, access).backend("pages")
                        .build();
                reported.add(f);
                throw new DmaFaultException(f);
            }
            return 0x50_0000L + ((7L - page) << 12) + (busAddr & 0xfff);
        }

        @Override
        public int pageShift() {
            return 12;
        }
    }

    private static List<String> pageByPage(PagePort p, long start, AccessType access) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < PAGES; i++) {
            try {
                out.add(Long.toHexString(p.translate(9, i == 0 ? start : BUS + ((long) i << 12), access)));
            } catch (DmaFaultException e) {
                out.add("fault " + e.fault());
            }
        }
        return out;
    }

    private static List<String> byRuns(PagePort p, long start, AccessType access) {
        List<String> out = new ArrayList<>();
        long[] frames = new long[PAGES];
        int i = 0;
        while (i < PAGES) {
            try {
                int n = p.translateRun(9, i == 0 ? start : BUS + ((long) i << 12), access, frames, PAGES - i);
                for (int k = 0; k < n; k++) {
                    out.add(Long.toHexString(frames[k]));
                }
                i += n;
            } catch (DmaFaultException e) {
                out.add("fault " + e.fault());
                i++;
            }
        }
        return out;
    }

    @Test
    void defaultRunsEqualPageByPageWithFaultsInTheMiddle() {
        for (AccessType access : new AccessType[] {AccessType.READ, AccessType.WRITE}) {
            PagePort one = new PagePort();
            PagePort run = new PagePort();
            List<String> expected = pageByPage(one, BUS + 0x40, access);
            assertEquals(expected, byRuns(run, BUS + 0x40, access));
            assertEquals(one.calls, run.calls, "the backend saw the same translate calls");
            assertEquals(one.reported.toString(), run.reported.toString());
            // By the layout: page 0 keeps its offset and lands on the last page; page 3 faults;
            // page 5 faults for a write only.
            assertEquals("507040", expected.get(0));
            assertEquals(FaultKind.TRANSLATION, run.reported.get(0).kind());
            assertEquals(BUS + 0x3000, run.reported.get(0).address());
            assertEquals(access == AccessType.WRITE ? 2 : 1, run.reported.size());
            if (access == AccessType.WRITE) {
                assertEquals(FaultKind.PERMISSION, run.reported.get(1).kind());
                assertEquals(BUS + 0x5000, run.reported.get(1).address());
            }
        }
    }

    @Test
    void defaultTranslatesBlockZeroOnlyAndLeavesTheRestUntouched() {
        PagePort p = new PagePort();
        long[] frames = {-1, -1, -1};
        assertEquals(1, p.translateRun(9, BUS + 0x1008, AccessType.READ, frames, 3));
        assertEquals(0x50_6008L, frames[0]);
        assertEquals(-1, frames[1]);
        assertEquals(1, p.calls.size());
    }

    @Test
    void badArgumentsAreRefusedBeforeAnyTranslation() {
        PagePort p = new PagePort();
        assertThrows(IllegalArgumentException.class, () -> p.translateRun(9, BUS, AccessType.READ, new long[1], 2));
        assertThrows(IllegalArgumentException.class, () -> p.translateRun(9, BUS, AccessType.READ, new long[1], 0));
        assertThrows(IllegalArgumentException.class, () -> p.translateRun(9, BUS, AccessType.READ, null, 1));
        assertEquals(0, p.calls.size());
    }
}
