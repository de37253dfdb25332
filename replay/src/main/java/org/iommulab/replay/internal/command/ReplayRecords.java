package org.iommulab.replay.internal.command;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.iommulab.replay.internal.engine.BackendResult;
import org.iommulab.replay.internal.engine.DeviceReport;
import org.iommulab.replay.internal.engine.ReplaySummary;

/**
 * {@code replay --json/--csv}: one record per trace, trace device and backend, with every figure
 * of the replay's per-backend table and the options that produced it. The document follows the
 * application's results schema ({@code iommulab-results.schema.json}, {@code schemaVersion} 1,
 * {@code kind} replay; the README documents it). Nothing in a replay record is host timing.
 */
final class ReplayRecords {
    private ReplayRecords() {
    }

    /** The records of one trace's replay, numbered on from {@code firstIndex}. */
    static List<Map<String, Object>> of(ReplaySummary s, String trace, int traceIndex, ReplayArgs a, int firstIndex) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (BackendResult b : s.backends()) {
            for (DeviceReport d : b.devices()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("index", (long) (firstIndex + out.size()));
                m.put("trace", trace);
                m.put("traceIndex", (long) traceIndex);
                m.put("backend", b.backend());
                m.put("traceDevice", d.traceDevice());
                m.put("device", d.simDevice());
                Map<String, Object> options = new LinkedHashMap<>();
                options.put("devicesFile", a.devicesFile());
                options.put("set", new ArrayList<Object>(a.settings()));
                options.put("sgGuess", a.sgGuess());
                options.put("granule", a.granule());
                m.put("options", options);
                m.put("unavailable", d.unavailableReason());
                m.put("keptOffIommu", d.isKeptOffIommu());
                m.put("calls", d.calls());
                m.put("replayed", d.replayed());
                m.put("skipped", d.skipped());
                m.put("sgLayoutEqual", d.sgLayoutEqual());
                m.put("sgCalls", d.sgCalls());
                m.put("addressesEqual", d.addressesEqual());
                m.put("addressCalls", d.addressCalls());
                m.put("addressesNotCompared", d.addressesNotCompared());
                m.put("misuse", d.misuse());
                m.put("leaks", d.leaks());
                m.put("leakBytes", d.leakBytes());
                m.put("peakMappedBytes", d.peakMappedBytes());
                m.put("bouncedBytes", d.bouncedBytes());
                m.put("iotlbHits", d.iotlbHits());
                m.put("iotlbMisses", d.iotlbMisses());
                m.put("failed", d.replayFailures());
                m.put("findings", d.findings());
                m.put("errors", d.errors());
                m.put("firstError", d.firstError());
                out.add(m);
            }
        }
        return out;
    }

    /** The document around the records of every trace. */
    static Map<String, Object> document(List<String> traces, List<Map<String, Object>> records) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("schemaVersion", 1L);
        d.put("kind", "replay");
        d.put("source", String.join(" ", traces));
        d.put("axes", List.of());
        d.put("points", (long) traces.size());
        d.put("runs", (long) records.size());
        d.put("shard", null);
        d.put("timing", "none");
        d.put("records", new ArrayList<Object>(records));
        return d;
    }

    /** JSON text, two spaces an indent level, members in insertion order. */
    static String json(Object v) {
        StringBuilder b = new StringBuilder();
        json(v, b, 0);
        return b.append('\n').toString();
    }

    private static void json(Object v, StringBuilder b, int indent) {
        if (v == null) {
            b.append("null");
        } else if (v instanceof String s) {
            string(s, b);
        } else if (v instanceof Boolean || v instanceof Long || v instanceof Integer) {
            b.append(v);
        } else if (v instanceof Map<?, ?> m) {
            if (m.isEmpty()) {
                b.append("{}");
                return;
            }
            b.append("{\n");
            int i = 0;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                b.append("  ".repeat(indent + 1));
                string(e.getKey().toString(), b);
                b.append(": ");
                json(e.getValue(), b, indent + 1);
                b.append(++i < m.size() ? ",\n" : "\n");
            }
            b.append("  ".repeat(indent)).append('}');
        } else if (v instanceof List<?> l) {
            if (l.isEmpty()) {
                b.append("[]");
                return;
            }
            b.append("[\n");
            for (int i = 0; i < l.size(); i++) {
                b.append("  ".repeat(indent + 1));
                json(l.get(i), b, indent + 1);
                b.append(i + 1 < l.size() ? ",\n" : "\n");
            }
            b.append("  ".repeat(indent)).append(']');
        } else {
            throw new IllegalArgumentException("not a JSON value: " + v.getClass().getName());
        }
    }

    private static void string(String s, StringBuilder b) {
        b.append('"');
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }

    /** The records as CSV (RFC 4180); the options flattened to {@code key=value;...}. */
    static String csv(List<Map<String, Object>> records) {
        if (records.isEmpty()) {
            return "";
        }
        StringBuilder b = new StringBuilder();
        List<String> columns = new ArrayList<>(records.get(0).keySet());
        b.append(String.join(",", columns)).append("\r\n");
        for (Map<String, Object> r : records) {
            for (int i = 0; i < columns.size(); i++) {
                if (i > 0) {
                    b.append(',');
                }
                Object v = r.get(columns.get(i));
                String text;
                if (v == null) {
                    text = "";
                } else if (v instanceof Map<?, ?> m) {
                    List<String> parts = new ArrayList<>();
                    m.forEach((k, x) -> parts.add(k + "=" + (x instanceof List<?> l ? String.join("|", l.stream().map(String::valueOf).toList()) : x)));
                    text = String.join(";", parts);
                } else {
                    text = v.toString();
                }
                if (text.contains(",") || text.contains("\"") || text.contains("\n") || text.contains("\r")) {
                    text = "\"" + text.replace("\"", "\"\"") + "\"";
                }
                b.append(text);
            }
            b.append("\r\n");
        }
        return b.toString();
    }
}
