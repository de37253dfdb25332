package org.iommulab.app.internal.html;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One replay record's comparison with its trace (trace, device, backend): of the traced
 * dma_map_sg calls that succeeded, how many the replay mapped to the same DMA segment layout;
 * of the traced calls that returned an address, how many the replay gave the same address, how
 * many it could not compare. Read from the replay's {@code --json} records (kind replay,
 * schemaVersion 1; the README's "Results as JSON and CSV").
 *
 * <p>The records do not say how many dma_map_sg calls were mapped at all, so for layouts the
 * rest of {@code sgCalls} is "differing or not mapped", not split further.
 */
public record ReplayAgreement(String trace, String device, String backend, long sgLayoutEqual, long sgCalls,
        long addressesEqual, long addressCalls, long addressesNotCompared) {

    /** Calls compared whose address differs from the trace's. */
    public long addressesDiffering() {
        return addressCalls - addressesNotCompared - addressesEqual;
    }

    /**
     * The records of a replay results document.
     *
     * @throws IllegalArgumentException when the document is not a replay results document or a
     *         record lacks a figure
     */
    public static List<ReplayAgreement> fromDocument(Object document) {
        if (!(document instanceof Map<?, ?> doc) || !"replay".equals(doc.get("kind"))
                || !(doc.get("records") instanceof List<?> records)) {
            throw new IllegalArgumentException("not a replay results document (kind replay with records)");
        }
        List<ReplayAgreement> out = new ArrayList<>();
        for (Object o : records) {
            if (!(o instanceof Map<?, ?> r)) {
                throw new IllegalArgumentException("a record that is not an object");
            }
            out.add(new ReplayAgreement(text(r, "trace"), text(r, "device"), text(r, "backend"), number(r, "sgLayoutEqual"),
                    number(r, "sgCalls"), number(r, "addressesEqual"), number(r, "addressCalls"),
                    number(r, "addressesNotCompared")));
        }
        return out;
    }

    private static String text(Map<?, ?> r, String key) {
        Object v = r.get(key);
        return v == null ? "" : v.toString();
    }

    private static long number(Map<?, ?> r, String key) {
        if (!(r.get(key) instanceof Long v) || v < 0) {
            throw new IllegalArgumentException("record without a count " + key);
        }
        return v;
    }
}
