package org.iommulab.app.internal.results;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The machine-readable results of a run: a JSON document (schema
 * {@code iommulab-results.schema.json} in this bundle, {@code schemaVersion} 1) or the same
 * records as CSV, one line each. Static helpers; the document is a plain map.
 */
public final class ResultsFile {
    /** The version of the document's layout; a change that breaks a reader moves it on. */
    public static final int SCHEMA_VERSION = 1;
    /** The schema in this bundle, a copy of the one the README documents. */
    public static final String SCHEMA_RESOURCE = "/iommulab-results.schema.json";

    private ResultsFile() {
    }

    /**
     * The document of a run of the main job or a scenario.
     *
     * @param source the scenario ("(default)" for the main job)
     * @param axes each swept setting's label and values, in order
     * @param points how many points the sweep has
     * @param runs how many runs the whole (unsharded) sweep has
     * @param shard "I/N" when this is one shard's part, or null
     * @param warm whether every measured run came after a warm-up run
     */
    public static Map<String, Object> workloads(String source, Map<String, List<String>> axes, int points, int runs,
            String shard, boolean warm, List<Map<String, Object>> records) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("schemaVersion", (long) SCHEMA_VERSION);
        d.put("kind", "workloads");
        d.put("source", source);
        List<Object> a = new ArrayList<>();
        axes.forEach((label, values) -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("label", label);
            m.put("values", new ArrayList<Object>(values));
            a.add(m);
        });
        d.put("axes", a);
        d.put("points", (long) points);
        d.put("runs", (long) runs);
        d.put("shard", shard);
        d.put("timing", warm ? "warm" : "cold");
        d.put("records", new ArrayList<Object>(records));
        return d;
    }

    public static void writeJson(Map<String, Object> document, Path file) throws IOException {
        Files.writeString(file, Json.write(document), StandardCharsets.UTF_8);
    }

    /** The records as CSV (RFC 4180): one header line, then one line per record, in the records' field order. */
    public static void writeCsv(List<Map<String, Object>> records, Path file) throws IOException {
        Files.writeString(file, csv(records), StandardCharsets.UTF_8);
    }

    static String csv(List<Map<String, Object>> records) {
        StringBuilder b = new StringBuilder();
        if (records.isEmpty()) {
            return "";
        }
        List<String> columns = new ArrayList<>(records.get(0).keySet());
        b.append(String.join(",", columns)).append("\r\n");
        for (Map<String, Object> r : records) {
            for (int i = 0; i < columns.size(); i++) {
                if (i > 0) {
                    b.append(',');
                }
                b.append(cell(flat(r.get(columns.get(i)))));
            }
            b.append("\r\n");
        }
        return b.toString();
    }

    /** A map as {@code k=v;k=v} (nested maps as {@code pid:k=v}), a list joined with " | ", null as empty. */
    private static String flat(Object v) {
        if (v == null) {
            return "";
        }
        if (v instanceof Map<?, ?> m) {
            List<String> parts = new ArrayList<>();
            m.forEach((k, x) -> {
                if (x instanceof Map<?, ?> inner) {
                    inner.forEach((k2, x2) -> parts.add(k + ":" + k2 + "=" + x2));
                } else {
                    parts.add(k + "=" + x);
                }
            });
            return String.join(";", parts);
        }
        if (v instanceof List<?> l) {
            List<String> parts = new ArrayList<>();
            l.forEach(x -> parts.add(String.valueOf(x)));
            return String.join(" | ", parts);
        }
        return v.toString();
    }

    private static String cell(String s) {
        if (s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r")) {
            return "\"" + s.replace("\"", "\"\"") + "\"";
        }
        return s;
    }
}
