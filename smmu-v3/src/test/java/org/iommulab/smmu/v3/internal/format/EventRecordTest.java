package org.iommulab.smmu.v3.internal.format;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** Event record encoding (IHI0070 §7.3, Linux EVTQ_*): fields in place, RES0 elsewhere, round trip. */
class EventRecordTest {
    @Test
    void translationFaultLayout() {
        long[] w = new long[4];
        EventRecord.translation(EventFormat.F_PERMISSION, 0x1234, true, true, EventFormat.CLASS_TT, 0xdead_beef_0000L,
                0x8_1234_5678L).encode(w);
        assertEquals(0x13L | 0x1234L << 32, w[0]);
        assertEquals(1L << 35 | 1L << 39 | 1L << 40, w[1], "RnW bit 35, S2 bit 39, CLASS [41:40]");
        assertEquals(0xdead_beef_0000L, w[2]);
        assertEquals(0x8_1234_5000L, w[3], "IPA[55:12]");
        assertEquals(EventRecord.translation(EventFormat.F_PERMISSION, 0x1234, true, true, EventFormat.CLASS_TT,
                0xdead_beef_0000L, 0x8_1234_5000L), EventRecord.decode(w));
    }

    @Test
    void fetchAndConfigLayouts() {
        long[] w = new long[4];
        EventRecord.fetch(EventFormat.F_CD_FETCH, 7, 0x4000_0048L).encode(w);
        assertEquals(0x09L | 7L << 32, w[0]);
        assertEquals(0, w[1] | w[2]);
        assertEquals(0x4000_0048L, w[3], "FetchAddr[55:3]");
        EventRecord.config(EventFormat.F_STREAM_DISABLED, 3).encode(w);
        assertEquals(0x06L | 3L << 32, w[0]);
        assertEquals(0, w[1] | w[2] | w[3]);
    }

    @Test
    void syndromeFieldsInRecordOrder() {
        Map<String, Long> m = new LinkedHashMap<>();
        EventRecord.translation(EventFormat.F_WALK_EABT, 1, false, false, EventFormat.CLASS_TT, 0x1000, 0x4000_0008L)
                .fields(m::put);
        assertEquals(java.util.List.of("EVT.ID", "SSV", "SubstreamID", "StreamID", "PnU", "InD", "RnW", "S2", "CLASS",
                "InputAddr", "FetchAddr"), java.util.List.copyOf(m.keySet()));
        assertEquals(0x4000_0008L, m.get("FetchAddr"));
    }
}
