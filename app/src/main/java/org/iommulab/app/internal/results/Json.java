package org.iommulab.app.internal.results;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Just enough JSON for the results files: writes maps, lists, strings, numbers, booleans and
 * null (in insertion order, so a file reads in the order the table does), and reads them back
 * for {@code merge}. Not a general JSON library: numbers read back as Long when they have no
 * fraction or exponent, else Double. Stateless; safe from any thread.
 */
public final class Json {
    private Json() {
    }

    /** {@code value} as JSON text, pretty-printed two spaces an indent level. */
    public static String write(Object value) {
        StringBuilder b = new StringBuilder();
        write(value, b, 0);
        return b.append('\n').toString();
    }

    private static void write(Object v, StringBuilder b, int indent) {
        if (v == null) {
            b.append("null");
        } else if (v instanceof String s) {
            string(s, b);
        } else if (v instanceof Boolean) {
            b.append(v);
        } else if (v instanceof Double d) {
            if (d.isNaN() || d.isInfinite()) {
                b.append("null"); // JSON has no NaN; a ratio of nothing is absent, not a number
            } else {
                b.append(d);
            }
        } else if (v instanceof Number) {
            b.append(v);
        } else if (v instanceof Map<?, ?> m) {
            if (m.isEmpty()) {
                b.append("{}");
                return;
            }
            b.append("{\n");
            int i = 0;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                pad(b, indent + 1);
                string(e.getKey().toString(), b);
                b.append(": ");
                write(e.getValue(), b, indent + 1);
                b.append(++i < m.size() ? ",\n" : "\n");
            }
            pad(b, indent);
            b.append('}');
        } else if (v instanceof List<?> l) {
            if (l.isEmpty()) {
                b.append("[]");
                return;
            }
            b.append("[\n");
            for (int i = 0; i < l.size(); i++) {
                pad(b, indent + 1);
                write(l.get(i), b, indent + 1);
                b.append(i + 1 < l.size() ? ",\n" : "\n");
            }
            pad(b, indent);
            b.append(']');
        } else {
            throw new IllegalArgumentException("not a JSON value: " + v.getClass().getName());
        }
    }

    private static void pad(StringBuilder b, int indent) {
        for (int i = 0; i < indent; i++) {
            b.append("  ");
        }
    }

    static void string(String s, StringBuilder b) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
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

    /**
     * Reads one JSON value: objects as {@code LinkedHashMap}, arrays as {@code ArrayList}.
     *
     * @throws IllegalArgumentException naming the offset of the first thing that is not JSON
     */
    public static Object read(String text) {
        Reader r = new Reader(text);
        r.blank();
        Object v = r.value();
        r.blank();
        if (r.at < text.length()) {
            throw r.error("text after the JSON value");
        }
        return v;
    }

    private static final class Reader {
        private final String s;
        private int at;

        Reader(String s) {
            this.s = s;
        }

        Object value() {
            if (at >= s.length()) {
                throw error("unexpected end");
            }
            char c = s.charAt(at);
            switch (c) {
                case '{':
                    return object();
                case '[':
                    return array();
                case '"':
                    return string();
                case 't':
                    return word("true", Boolean.TRUE);
                case 'f':
                    return word("false", Boolean.FALSE);
                case 'n':
                    return word("null", null);
                default:
                    return number();
            }
        }

        private Map<String, Object> object() {
            Map<String, Object> m = new LinkedHashMap<>();
            at++;
            blank();
            if (peek() == '}') {
                at++;
                return m;
            }
            while (true) {
                blank();
                if (peek() != '"') {
                    throw error("expected a member name");
                }
                String k = string();
                blank();
                expect(':');
                blank();
                if (m.containsKey(k)) {
                    throw error("member '" + k + "' twice");
                }
                m.put(k, value());
                blank();
                if (peek() == ',') {
                    at++;
                    continue;
                }
                expect('}');
                return m;
            }
        }

        private List<Object> array() {
            List<Object> l = new ArrayList<>();
            at++;
            blank();
            if (peek() == ']') {
                at++;
                return l;
            }
            while (true) {
                blank();
                l.add(value());
                blank();
                if (peek() == ',') {
                    at++;
                    continue;
                }
                expect(']');
                return l;
            }
        }

        private String string() {
            StringBuilder b = new StringBuilder();
            at++;
            while (true) {
                if (at >= s.length()) {
                    throw error("unterminated string");
                }
                char c = s.charAt(at++);
                if (c == '"') {
                    return b.toString();
                }
                if (c != '\\') {
                    b.append(c);
                    continue;
                }
                char e = at < s.length() ? s.charAt(at++) : 0;
                switch (e) {
                    case '"', '\\', '/' -> b.append(e);
                    case 'n' -> b.append('\n');
                    case 'r' -> b.append('\r');
                    case 't' -> b.append('\t');
                    case 'b' -> b.append('\b');
                    case 'f' -> b.append('\f');
                    case 'u' -> {
                        if (at + 4 > s.length()) {
                            throw error("short \\u escape");
                        }
                        b.append((char) Integer.parseInt(s.substring(at, at + 4), 16));
                        at += 4;
                    }
                    default -> throw error("bad escape");
                }
            }
        }

        private Object number() {
            int start = at;
            while (at < s.length() && "+-0123456789.eE".indexOf(s.charAt(at)) >= 0) {
                at++;
            }
            String n = s.substring(start, at);
            try {
                if (n.contains(".") || n.contains("e") || n.contains("E")) {
                    return Double.parseDouble(n);
                }
                return Long.parseLong(n);
            } catch (NumberFormatException e) {
                at = start;
                throw error("not a JSON value");
            }
        }

        private Object word(String w, Object v) {
            if (!s.startsWith(w, at)) {
                throw error("not a JSON value");
            }
            at += w.length();
            return v;
        }

        private char peek() {
            return at < s.length() ? s.charAt(at) : 0;
        }

        private void expect(char c) {
            if (peek() != c) {
                throw error("expected '" + c + "'");
            }
            at++;
        }

        void blank() {
            while (at < s.length() && Character.isWhitespace(s.charAt(at))) {
                at++;
            }
        }

        IllegalArgumentException error(String what) {
            return new IllegalArgumentException("not JSON at offset " + at + ": " + what);
        }
    }
}
