package org.iommulab.app.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.iommulab.app.internal.results.Json;
import org.iommulab.app.internal.results.Merge;
import org.iommulab.app.internal.results.ResultsFile;
import org.iommulab.app.internal.results.WorkloadRecords;
import org.iommulab.app.internal.scenario.Sweep;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --json}/{@code --csv} of a scenario sweep, held to the schema the README documents
 * ({@code iommulab-results.schema.json}), and {@code merge} of shards against the unsharded run.
 */
class ResultsJsonTest {
    /**
     * Two backends (direct does not merge, generic does), two workloads, and two axes of two
     * values: 2 x 2 points x 2 backends x 2 workloads = 16 runs.
     */
    static final String SWEEP = "backends direct generic\n"
            + "workload mmc rounds=1,2\n"
            + "workload mmc-buggy rounds=1\n"
            + "device mmc1 maxseg=4K,64K   # 4K: nothing merges, the buggy driver passes\n";

    @TempDir
    Path dir;

    private static Sweep sweep(String text) throws IOException {
        return Sweep.parse("sweep.scenario", new StringReader(text));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> schema() throws IOException {
        try (InputStream in = ResultsFile.class.getResourceAsStream(ResultsFile.SCHEMA_RESOURCE)) {
            return (Map<String, Object>) Json.read(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    private Map<String, Object> run(String text, RunOptions.Shard shard, String name) throws IOException {
        AppHarness h = new AppHarness().directAndSwiotlb().generic().allDevices();
        Path json = dir.resolve(name + ".json");
        assertEquals(0, h.run(sweep(text), new RunOptions(shard, true, json, dir.resolve(name + ".csv"))), h.text());
        return Merge.read(json);
    }

    @Test
    void theJsonOfASweepValidatesAgainstTheDocumentedSchemaWithOneRecordPerRun() throws IOException {
        Map<String, Object> doc = run(SWEEP, RunOptions.Shard.ALL, "all");
        SchemaChecker checker = new SchemaChecker(schema());
        assertEquals(List.of(), checker.check(doc));
        List<Map<String, Object>> records = Merge.records(doc);
        assertEquals(16, records.size());
        assertEquals(4L, doc.get("points"));
        assertEquals(16L, doc.get("runs"));
        // mmc-buggy's verdict follows the device's max segment on the merging backend: with 4 KiB
        // no two pages may share a segment, so nothing merges (the bug goes unnoticed, as on
        // direct); with 64 KiB generic merges its 4 KiB pages and the bug is caught.
        for (Map<String, Object> r : records) {
            if (!r.get("workload").equals("mmc-buggy")) {
                assertEquals("OK", r.get("outcome"), r.toString());
                continue;
            }
            String maxseg = ((Map<?, ?>) r.get("settings")).get("device mmc1 maxseg").toString();
            assertEquals(Map.of("maxseg", maxseg), r.get("deviceOverrides"));
            boolean caught = r.get("backend").equals("generic") && maxseg.equals("64K");
            assertEquals(caught ? "CAUGHT" : "OK_NOT_MERGED", r.get("outcome"), r.toString());
            assertEquals(1L, r.get("rounds"));
        }
        // The rounds axis reaches the mmc runs: point 0 has rounds=1, point 2 rounds=2 (first axis slowest).
        assertEquals(1L, records.stream().filter(r -> r.get("point").equals(0L) && r.get("workload").equals("mmc"))
                .findFirst().orElseThrow().get("rounds"));
        assertEquals(2L, records.stream().filter(r -> r.get("point").equals(2L) && r.get("workload").equals("mmc"))
                .findFirst().orElseThrow().get("rounds"));
        String csv = Files.readString(dir.resolve("all.csv"));
        assertEquals(17, csv.split("\r\n").length, csv);
        assertTrue(csv.startsWith("index,point,settings,backend,workload,device,"), csv);
    }

    /**
     * {@code config} sets each point's configuration before the point's runs and puts it back
     * after them, in order; every record carries the configuration it ran with.
     */
    @Test
    void configIsSetForEachPointAndRestoredAfterIt() throws IOException {
        List<String> events = new ArrayList<>();
        BackendConfig recording = (pid, settings) -> {
            events.add("set " + pid + " " + settings);
            return () -> events.add("restore " + pid);
        };
        AppHarness h = new AppHarness().directAndSwiotlb().generic().allDevices();
        Path json = dir.resolve("config.json");
        assertEquals(0, h.run(sweep("backends direct generic\nworkload mmc rounds=1\nconfig org.iommulab.iommu.dma mode=strict,lazy\n"),
                new RunOptions(RunOptions.Shard.ALL, false, json, null), recording), h.text());
        assertEquals(List.of("set org.iommulab.iommu.dma {mode=strict}", "restore org.iommulab.iommu.dma",
                "set org.iommulab.iommu.dma {mode=lazy}", "restore org.iommulab.iommu.dma"), events);
        List<Map<String, Object>> records = Merge.records(Merge.read(json));
        assertEquals(4, records.size());
        assertEquals(Map.of("org.iommulab.iommu.dma", Map.of("mode", "lazy")), records.get(3).get("backendConfig"));
        assertEquals(false, records.get(3).get("warm"));
        assertEquals("cold", Merge.read(json).get("timing"));
        // Without a configuration store, a config directive is a bad scenario (exit 2), nothing run.
        AppHarness none = new AppHarness().directAndSwiotlb().allDevices();
        assertEquals(2, none.run(sweep("workload mmc rounds=1\nconfig org.iommulab.iommu.dma mode=lazy\n"), RunOptions.DEFAULT));
        assertTrue(none.text().contains("scenario sweep.scenario:2: config org.iommulab.iommu.dma: no configuration store"),
                none.text());
    }

    @Test
    void theCheckerRejectsADocumentThatBreaksTheSchema() throws IOException {
        SchemaChecker checker = new SchemaChecker(schema());
        Map<String, Object> doc = run("backends direct\nworkload mmc rounds=1\n", RunOptions.Shard.ALL, "one");
        assertEquals(List.of(), checker.check(doc));
        @SuppressWarnings("unchecked")
        Map<String, Object> record = (Map<String, Object>) ((List<Object>) doc.get("records")).get(0);
        record.remove("simNanos");
        record.put("ops", "32");
        record.put("extra", 1L);
        doc.put("schemaVersion", 2L);
        List<String> errors = checker.check(doc);
        assertTrue(errors.contains("$.records[0]: required member 'simNanos' is missing"), errors.toString());
        assertTrue(errors.contains("$.records[0].ops: String where the schema wants [integer, null]"), errors.toString());
        assertTrue(errors.contains("$.records[0]: member 'extra' is not in the schema"), errors.toString());
        assertTrue(errors.contains("$.schemaVersion: 2 is not the constant 1"), errors.toString());
    }

    /**
     * A sweep run as two shards and merged equals the unsharded run: the same records in the
     * same order, and three shards give the same again: every field but the host's wall time,
     * the damage figures of the caught seeded bug included (findings, data errors, first error,
     * first finding), which no longer depend on the runs before it (each measured run starts
     * with the allocator's per-CPU lists drained, and the bytes the bug's stray PIO meets are
     * poison, see MmcDriver). A caught run must still have caught wrong data.
     */
    @Test
    void mergeOfShardsEqualsTheUnshardedRun() throws IOException {
        List<Map<String, Object>> whole = comparable(run(SWEEP, RunOptions.Shard.ALL, "whole"));
        for (int n : new int[] {2, 3}) {
            List<Map<String, Object>> shards = new ArrayList<>();
            List<String> names = new ArrayList<>();
            for (int i = n; i >= 1; i--) { // given in reverse: merge orders the records itself
                Map<String, Object> shard = run(SWEEP, new RunOptions.Shard(i, n), "s" + i + "of" + n);
                assertTrue(Merge.records(shard).size() < whole.size(), "a shard runs only its part");
                shards.add(shard);
                names.add("s" + i);
            }
            Map<String, Object> merged = Merge.merge(shards, names);
            assertEquals(List.of(), new SchemaChecker(schema()).check(merged));
            assertEquals(List.of(), differences(whole, comparable(merged)), "merge of " + n + " shards");
            assertEquals(whole, comparable(merged), "merge of " + n + " shards");
        }
    }

    @Test
    void mergeRefusesAMissingShardAndAShardOfAnotherSweep() throws IOException {
        Map<String, Object> one = run(SWEEP, new RunOptions.Shard(1, 2), "a");
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Merge.merge(List.of(one), List.of("a.json")));
        assertTrue(e.getMessage().contains("the files hold 8 of the sweep's 16 runs"), e.getMessage());
        Map<String, Object> other = run("backends direct\nworkload mmc rounds=1\n", new RunOptions.Shard(2, 2), "b");
        e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Merge.merge(List.of(one, other), List.of("a.json", "b.json")));
        assertTrue(e.getMessage().startsWith("b.json: its axes"), e.getMessage());
        assertFalse(Merge.records(one).isEmpty());
    }

    /** Each field that differs, as "index.field: expected != actual" (a readable failure). */
    private static List<String> differences(List<Map<String, Object>> expected, List<Map<String, Object>> actual) {
        List<String> out = new ArrayList<>();
        if (expected.size() != actual.size()) {
            out.add(expected.size() + " records != " + actual.size());
            return out;
        }
        for (int i = 0; i < expected.size(); i++) {
            for (String k : expected.get(i).keySet()) {
                if (!java.util.Objects.equals(expected.get(i).get(k), actual.get(i).get(k))) {
                    out.add(i + "." + k + ": " + expected.get(i).get(k) + " != " + actual.get(i).get(k));
                }
            }
        }
        return out;
    }

    /**
     * {@code replay --json} with two traces (the same sample twice) on two backends: one record
     * per trace, backend and trace device, valid against the same schema (kind replay).
     */
    @Test
    void theReplaysJsonValidatesAgainstTheSchema() throws IOException {
        AppHarness h = new AppHarness().directAndSwiotlb().generic().allDevices();
        Path trace = dir.resolve("sample.txt");
        try (InputStream in = getClass().getResourceAsStream("/traces/sample-6.12-ftrace.txt")) {
            Files.copy(in, trace);
        }
        Path json = dir.resolve("replay.json");
        org.iommulab.replay.internal.command.ReplayCommand replay = new org.iommulab.replay.internal.command.ReplayCommand(
                h.platform, h::dmaApi);
        int rc = replay.run(List.of(trace.toString(), trace.toString(), "--backend", "direct", "--backend", "generic",
                "--json", json.toString(), "--csv", dir.resolve("replay.csv").toString(), "--quiet"), h.out);
        assertEquals(0, rc, h.text());
        Map<String, Object> doc = Merge.read(json);
        assertEquals(List.of(), new SchemaChecker(schema()).check(doc));
        assertEquals("replay", doc.get("kind"));
        List<Map<String, Object>> records = Merge.records(doc);
        long devices = records.stream().map(r -> r.get("traceDevice")).distinct().count();
        assertTrue(devices >= 1, records.toString());
        assertEquals(2 * 2 * devices, records.size(), records.toString());
        for (Map<String, Object> r : records) {
            assertTrue(((Number) r.get("calls")).longValue() > 0, r.toString());
        }
        // The same trace replays the same on the same backend: the two traces' records agree.
        for (Map<String, Object> r : records) {
            if (r.get("traceIndex").equals(1L)) {
                Map<String, Object> first = records.stream().filter(x -> x.get("traceIndex").equals(0L)
                        && x.get("backend").equals(r.get("backend")) && x.get("traceDevice").equals(r.get("traceDevice")))
                        .findFirst().orElseThrow();
                assertEquals(first.get("replayed"), r.get("replayed"), r.toString());
                assertEquals(first.get("addressesEqual"), r.get("addressesEqual"), r.toString());
            }
        }
        assertEquals(records.size() + 1, Files.readString(dir.resolve("replay.csv")).split("\r\n").length);
    }

    private static List<Map<String, Object>> comparable(Map<String, Object> doc) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Map<String, Object> r : Merge.records(doc)) {
            Map<String, Object> m = new LinkedHashMap<>(WorkloadRecords.withoutHostTiming(r));
            if ("CAUGHT".equals(m.get("outcome"))) {
                assertTrue(((Number) m.get("dataErrors")).longValue() > 0, m.toString());
            }
            out.add(m);
        }
        return out;
    }
}
