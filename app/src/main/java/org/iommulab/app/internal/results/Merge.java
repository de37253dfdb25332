package org.iommulab.app.internal.results;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * {@code merge SHARD.json...}: joins the JSON results of the shards of one sweep
 * ({@code --shard I/N}, or the children of {@code --jobs N}) into one document, its records in
 * the unsharded run's order. The shards must come from the same scenario and sweep, with the
 * same timing, and together hold every run exactly once; anything else is refused, naming the
 * file. Plain code: runs without the container.
 */
public final class Merge {
    private Merge() {
    }

    /**
     * The merged document.
     *
     * @param shards each shard's document, as read
     * @param names the shards' file names, for messages
     * @throws IllegalArgumentException when the shards do not make one whole sweep
     */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> merge(List<Map<String, Object>> shards, List<String> names) {
        if (shards.isEmpty()) {
            throw new IllegalArgumentException("merge needs at least one results file");
        }
        Map<String, Object> first = shards.get(0);
        List<Map<String, Object>> records = new ArrayList<>();
        for (int i = 0; i < shards.size(); i++) {
            Map<String, Object> d = shards.get(i);
            String name = names.get(i);
            if (!Long.valueOf(ResultsFile.SCHEMA_VERSION).equals(d.get("schemaVersion"))) {
                throw new IllegalArgumentException(name + ": schemaVersion " + d.get("schemaVersion") + ", this merge reads "
                        + ResultsFile.SCHEMA_VERSION);
            }
            if (!"workloads".equals(d.get("kind"))) {
                throw new IllegalArgumentException(name + ": kind " + d.get("kind") + " cannot be merged (only workloads)");
            }
            for (String key : List.of("source", "axes", "points", "runs", "timing")) {
                if (!Objects.equals(first.get(key), d.get(key))) {
                    throw new IllegalArgumentException(name + ": its " + key + " (" + d.get(key) + ") differs from "
                            + names.get(0) + "'s (" + first.get(key) + "): not shards of the same sweep");
                }
            }
            for (Object r : (List<Object>) d.get("records")) {
                records.add((Map<String, Object>) r);
            }
        }
        records.sort(Comparator.comparingLong(r -> ((Number) r.get("index")).longValue()));
        long runs = ((Number) first.get("runs")).longValue();
        TreeSet<Long> seen = new TreeSet<>();
        for (Map<String, Object> r : records) {
            long index = ((Number) r.get("index")).longValue();
            if (!seen.add(index)) {
                throw new IllegalArgumentException("run " + index + " is in more than one file (a shard given twice?)");
            }
        }
        if (seen.size() != runs) {
            List<Long> missing = new ArrayList<>();
            for (long k = 0; k < runs && missing.size() < 10; k++) {
                if (!seen.contains(k)) {
                    missing.add(k);
                }
            }
            throw new IllegalArgumentException("the files hold " + seen.size() + " of the sweep's " + runs
                    + " runs (a shard missing?); first runs missing: " + missing);
        }
        Map<String, Object> merged = new LinkedHashMap<>(first);
        merged.put("shard", null);
        merged.put("records", new ArrayList<Object>(records));
        return merged;
    }

    /** Reads one results file. @throws IllegalArgumentException when it is not a results document */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> read(Path file) throws IOException {
        Object v;
        try {
            v = Json.read(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage());
        }
        if (!(v instanceof Map<?, ?> m) || !(m.get("records") instanceof List<?>)) {
            throw new IllegalArgumentException(file + ": not an iommulab results document (no records)");
        }
        return (Map<String, Object>) v;
    }

    /** The records of a document. */
    @SuppressWarnings("unchecked")
    public static List<Map<String, Object>> records(Map<String, Object> document) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Object r : (List<Object>) document.get("records")) {
            out.add((Map<String, Object>) r);
        }
        return out;
    }

    /** Prints the merged table the way the run prints its own. */
    public static void printTable(Map<String, Object> merged, PrintStream out) {
        RecordTable.print(records(merged), out);
    }
}
