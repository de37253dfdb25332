package org.iommulab.replay.internal.parse;

/**
 * The space-separated words of an event's fields: {@code key=value} pairs and bare words
 * (the device name, {@code [TRUNCATED]}). Values never contain spaces in these formats
 * ({@code __print_array} and {@code __print_flags} print none). Small and linear: an event has
 * at most a dozen words.
 */
final class Fields {
    private final String[] words;
    private final int count;

    private Fields(String[] words, int count) {
        this.words = words;
        this.count = count;
    }

    static Fields split(String body) {
        String[] w = new String[16];
        int n = 0;
        int i = 0;
        int len = body.length();
        while (i < len) {
            while (i < len && body.charAt(i) == ' ') {
                i++;
            }
            if (i >= len) {
                break;
            }
            int start = i;
            while (i < len && body.charAt(i) != ' ') {
                i++;
            }
            if (n == w.length) {
                w = java.util.Arrays.copyOf(w, n * 2);
            }
            w[n++] = body.substring(start, i);
        }
        return new Fields(w, n);
    }

    int size() {
        return count;
    }

    String word(int i) {
        if (i >= count) {
            throw new IllegalArgumentException("missing field " + (i + 1));
        }
        return words[i];
    }

    /** True when a bare word equal to {@code flag} is present. */
    boolean has(String flag) {
        for (int i = 0; i < count; i++) {
            if (words[i].equals(flag)) {
                return true;
            }
        }
        return false;
    }

    /** The value of {@code key=}, or null when absent. */
    String opt(String key) {
        for (int i = 0; i < count; i++) {
            String w = words[i];
            if (w.length() > key.length() && w.charAt(key.length()) == '=' && w.startsWith(key)) {
                return w.substring(key.length() + 1);
            }
        }
        return null;
    }

    /** The value of {@code key=}. @throws IllegalArgumentException when absent */
    String get(String key) {
        String v = opt(key);
        if (v == null) {
            throw new IllegalArgumentException("missing field " + key + "=");
        }
        return v;
    }
}
