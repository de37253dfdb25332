package org.iommulab.app.internal.scenario;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A scenario whose {@code workload}, {@code device} or {@code config} settings may list several
 * values ({@code device mmc1 maxseg=4K,64K}, {@code config org.iommulab.iommu.dma mode=strict,lazy}):
 * every such setting is an axis, and the sweep is their cross product, one {@link Point} per
 * combination, the first axis in the file varying slowest. A file without lists is a sweep of
 * one point. Each point is an ordinary {@link Scenario} (read by {@link ScenarioParser} from the
 * file with that point's values put in), so every value is checked as a single value is. A
 * literal comma in a {@code config} value is written {@code \,}. Immutable.
 *
 * @param source where it came from, for messages
 * @param axes the swept settings, in file order
 * @param points every combination, in order
 */
public record Sweep(String source, List<Axis> axes, List<Point> points) {
    /** More points than this is surely a mistake (each point runs every backend and workload). */
    static final int MAX_POINTS = 10_000;
    private static final Set<String> SWEPT_DIRECTIVES = Set.of("workload", "device", "config");

    public Sweep {
        axes = List.copyOf(axes);
        points = List.copyOf(points);
    }

    /** One swept setting: where, its label ("device mmc1 maxseg") and its values as written. */
    public record Axis(int line, String label, List<String> values) {
        public Axis {
            values = List.copyOf(values);
        }
    }

    /**
     * One combination of the axes' values.
     *
     * @param settings each axis' value here, by label, in axis order
     */
    public record Point(int index, Map<String, String> settings, Scenario scenario) {
        public Point {
            settings = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(settings));
        }
    }

    /** The main job without a scenario file: one point, the default scenario. */
    public static Sweep of(Scenario s) {
        return new Sweep(s.source(), List.of(), List.of(new Point(0, Map.of(), s)));
    }

    /** @throws ScenarioException for the first bad line, in any point; IOException when the input cannot be read */
    public static Sweep parse(String source, Reader input) throws IOException {
        List<String> lines = new ArrayList<>();
        BufferedReader in = new BufferedReader(input);
        for (String l = in.readLine(); l != null; l = in.readLine()) {
            lines.add(l);
        }
        // Where each axis sits: line index, word index, key, values.
        List<Axis> axes = new ArrayList<>();
        List<int[]> at = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String[] w = words(lines.get(i));
            if (w.length < 2 || !SWEPT_DIRECTIVES.contains(w[0])) {
                continue;
            }
            for (int j = 2; j < w.length; j++) {
                int eq = w[j].indexOf('=');
                if (eq <= 0) {
                    continue;
                }
                List<String> values = split(w[j].substring(eq + 1));
                if (values.size() < 2 && !w[j].endsWith(",")) {
                    continue;
                }
                for (String v : values) {
                    if (v.isEmpty()) {
                        throw new ScenarioException(source, i + 1, "'" + w[j] + "' has an empty value in its list");
                    }
                }
                if (values.stream().distinct().count() < values.size()) {
                    throw new ScenarioException(source, i + 1, "'" + w[j] + "' lists a value twice");
                }
                String key = w[j].substring(0, eq);
                axes.add(new Axis(i + 1, w[0] + " " + w[1] + " " + key, values));
                at.add(new int[] {i, j});
                keys.add(key);
            }
        }
        long count = 1;
        for (Axis a : axes) {
            count *= a.values().size();
            if (count > MAX_POINTS) {
                throw new ScenarioException(source, a.line(), "the sweep has more than " + MAX_POINTS + " points");
            }
        }
        List<Point> points = new ArrayList<>();
        int[] choice = new int[axes.size()];
        for (int p = 0; p < count; p++) {
            // choice: the mixed-radix digits of p, the first axis most significant.
            long rest = p;
            for (int a = axes.size() - 1; a >= 0; a--) {
                int n = axes.get(a).values().size();
                choice[a] = (int) (rest % n);
                rest /= n;
            }
            List<String> text = new ArrayList<>(lines);
            Map<String, String> settings = new LinkedHashMap<>();
            for (int a = 0; a < axes.size(); a++) {
                int line = at.get(a)[0];
                String[] w = words(text.get(line));
                String value = axes.get(a).values().get(choice[a]);
                w[at.get(a)[1]] = keys.get(a) + "=" + value;
                text.set(line, String.join(" ", w));
                settings.put(axes.get(a).label(), value);
            }
            Scenario s = ScenarioParser.parse(source, new StringReader(String.join("\n", text) + "\n"));
            points.add(new Point(p, settings, s));
        }
        return new Sweep(source, axes, points);
    }

    /** The words of a line, comment removed (so a rewritten line keeps its number). */
    private static String[] words(String raw) {
        int hash = raw.indexOf('#');
        String text = (hash >= 0 ? raw.substring(0, hash) : raw).trim();
        return text.isEmpty() ? new String[0] : text.split("\\s+");
    }

    /** Splits a value list at commas not written as {@code \,}; the parts keep their escapes. */
    static List<String> split(String list) {
        List<String> out = new ArrayList<>();
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < list.length(); i++) {
            char c = list.charAt(i);
            if (c == '\\' && i + 1 < list.length() && list.charAt(i + 1) == ',') {
                b.append("\\,");
                i++;
            } else if (c == ',') {
                out.add(b.toString());
                b.setLength(0);
            } else {
                b.append(c);
            }
        }
        out.add(b.toString());
        return out;
    }

    /** A single value with {@code \,} turned back into a comma. */
    static String unescape(String value) {
        return value.replace("\\,", ",");
    }

    /** Whether the file swept anything. */
    public boolean swept() {
        return !axes.isEmpty();
    }
}
