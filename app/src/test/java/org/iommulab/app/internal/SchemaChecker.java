package org.iommulab.app.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A strict checker of the subset of JSON Schema (2020-12) that {@code iommulab-results.schema.json}
 * uses: type (one or a list), const, enum, minimum, required, properties, additionalProperties
 * (false or a schema), items, anyOf (a value that matches no alternative gets the violations of
 * the alternative it came closest to), and local {@code $ref}s into {@code $defs}. A keyword it does not
 * know is an error, so the schema cannot quietly say more than is checked. No JSON Schema
 * library is available offline here; this reads the schema file itself, so a document is held to
 * what the README documents.
 */
final class SchemaChecker {
    private static final Set<String> ANNOTATIONS = Set.of("$schema", "$id", "title", "description", "$defs", "$comment");
    private static final Set<String> KEYWORDS = Set.of("type", "const", "enum", "minimum", "required", "properties",
            "additionalProperties", "items", "$ref", "anyOf");

    private final Map<String, Object> root;

    SchemaChecker(Map<String, Object> root) {
        this.root = root;
    }

    /** Every violation, as "path: what"; empty when the value conforms. */
    List<String> check(Object value) {
        List<String> errors = new ArrayList<>();
        check(value, root, "$", errors);
        return errors;
    }

    @SuppressWarnings("unchecked")
    private void check(Object v, Map<String, Object> schema, String path, List<String> errors) {
        for (String k : schema.keySet()) {
            if (!KEYWORDS.contains(k) && !ANNOTATIONS.contains(k)) {
                throw new IllegalStateException("schema keyword '" + k + "' at " + path + " is not supported by this checker");
            }
        }
        if (schema.containsKey("$ref")) {
            String ref = (String) schema.get("$ref");
            if (!ref.startsWith("#/$defs/")) {
                throw new IllegalStateException("only local $defs references are supported: " + ref);
            }
            Map<String, Object> target = (Map<String, Object>) ((Map<String, Object>) root.get("$defs"))
                    .get(ref.substring("#/$defs/".length()));
            if (target == null) {
                throw new IllegalStateException("dangling $ref " + ref);
            }
            check(v, target, path, errors);
        }
        if (schema.containsKey("anyOf")) {
            List<String> closest = null;
            for (Object alternative : (List<Object>) schema.get("anyOf")) {
                List<String> mine = new ArrayList<>();
                check(v, (Map<String, Object>) alternative, path, mine);
                if (closest == null || mine.size() < closest.size()) {
                    closest = mine;
                }
            }
            errors.addAll(closest);
        }
        if (schema.containsKey("type") && !typeMatches(v, schema.get("type"))) {
            errors.add(path + ": " + typeOf(v) + " where the schema wants " + schema.get("type"));
            return;
        }
        if (schema.containsKey("const") && !numEquals(schema.get("const"), v)) {
            errors.add(path + ": " + v + " is not the constant " + schema.get("const"));
        }
        if (schema.containsKey("enum") && ((List<Object>) schema.get("enum")).stream().noneMatch(e -> numEquals(e, v))) {
            errors.add(path + ": " + v + " is not one of " + schema.get("enum"));
        }
        if (schema.containsKey("minimum") && v instanceof Number n
                && n.doubleValue() < ((Number) schema.get("minimum")).doubleValue()) {
            errors.add(path + ": " + v + " is below the minimum " + schema.get("minimum"));
        }
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> props = (Map<String, Object>) schema.getOrDefault("properties", Map.of());
            for (Object req : (List<Object>) schema.getOrDefault("required", List.of())) {
                if (!m.containsKey(req)) {
                    errors.add(path + ": required member '" + req + "' is missing");
                }
            }
            Object extra = schema.get("additionalProperties");
            for (Map.Entry<?, ?> e : m.entrySet()) {
                String key = e.getKey().toString();
                String sub = path + "." + key;
                if (props.containsKey(key)) {
                    check(e.getValue(), (Map<String, Object>) props.get(key), sub, errors);
                } else if (Boolean.FALSE.equals(extra)) {
                    errors.add(path + ": member '" + key + "' is not in the schema");
                } else if (extra instanceof Map<?, ?> xs) {
                    check(e.getValue(), (Map<String, Object>) xs, sub, errors);
                }
            }
        }
        if (v instanceof List<?> l && schema.containsKey("items")) {
            for (int i = 0; i < l.size(); i++) {
                check(l.get(i), (Map<String, Object>) schema.get("items"), path + "[" + i + "]", errors);
            }
        }
    }

    private static boolean typeMatches(Object v, Object type) {
        if (type instanceof List<?> l) {
            return l.stream().anyMatch(t -> typeMatches(v, t));
        }
        return switch ((String) type) {
            case "null" -> v == null;
            case "string" -> v instanceof String;
            case "boolean" -> v instanceof Boolean;
            case "integer" -> v instanceof Long || v instanceof Integer;
            case "number" -> v instanceof Number;
            case "object" -> v instanceof Map;
            case "array" -> v instanceof List;
            default -> throw new IllegalStateException("unknown type " + type);
        };
    }

    private static String typeOf(Object v) {
        return v == null ? "null" : v instanceof Map ? "object" : v instanceof List ? "array" : v.getClass().getSimpleName();
    }

    private static boolean numEquals(Object a, Object b) {
        if (a instanceof Number x && b instanceof Number y) {
            return x.doubleValue() == y.doubleValue();
        }
        return a == null ? b == null : a.equals(b);
    }
}
