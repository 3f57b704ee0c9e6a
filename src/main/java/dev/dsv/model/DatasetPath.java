package dev.dsv.model;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import java.util.List;
import java.util.Locale;

/**
 * Rules for dataset paths: slash-separated names in Unicode NFC, no empty, "." or ".." component,
 * no leading slash, no backslash or control character, at most 4096 UTF-8 bytes.
 */
public final class DatasetPath {
    public static final int MAX_BYTES = 4096;

    private DatasetPath() {
    }

    /**
     * Returns the NFC form of {@code raw} after checking it, or throws invalid input naming it.
     * Backslashes are rejected rather than converted so that a Windows path is never silently
     * reinterpreted.
     */
    public static String normalize(String raw) {
        if (raw == null || raw.isEmpty()) {
            throw invalid(String.valueOf(raw), "empty");
        }
        String path = CanonicalJson.nfc(raw);
        if (path.startsWith("/")) {
            throw invalid(raw, "absolute");
        }
        if (path.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_BYTES) {
            throw invalid(raw, "too long");
        }
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '\\') {
                throw invalid(raw, "backslash");
            }
            if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
                throw invalid(raw, "control character");
            }
            if (Character.isSurrogate(c) && !validSurrogatePair(path, i)) {
                throw invalid(raw, "unpaired surrogate");
            }
        }
        for (String part : path.split("/", -1)) {
            if (part.isEmpty()) {
                throw invalid(raw, "empty component");
            }
            if (part.equals(".") || part.equals("..")) {
                throw invalid(raw, "'" + part + "' component");
            }
        }
        return path;
    }

    private static boolean validSurrogatePair(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
        }
        return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }

    /** Splits a normalized path into its components. */
    public static List<String> components(String path) {
        return List.of(path.split("/"));
    }

    /** Joins a prefix (possibly empty) and a relative path. */
    public static String join(String prefix, String relative) {
        if (prefix == null || prefix.isEmpty()) {
            return relative;
        }
        return prefix + "/" + relative;
    }

    /** Returns the case-folded form used to detect names that differ only in case. */
    public static String fold(String name) {
        return CanonicalJson.nfc(name).toLowerCase(Locale.ROOT);
    }

    private static DsvException invalid(String raw, String reason) {
        return new DsvException(ExitCode.INVALID_INPUT, "error.path.invalid", raw, reason);
    }
}
