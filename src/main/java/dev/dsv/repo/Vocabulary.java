package dev.dsv.repo;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A configured list of allowed values (cell types, defect types, splits, sources). Input matches
 * case-insensitively and is stored in the configured spelling. An unknown value is invalid input
 * that names the value and the allowed ones, never a new class.
 */
public final class Vocabulary {
    private final String kind;
    private final List<String> values;
    private final Map<String, String> byFolded = new LinkedHashMap<>();

    public Vocabulary(String kind, List<String> values) {
        this.kind = kind;
        this.values = List.copyOf(values);
        for (String v : values) {
            byFolded.put(v.toLowerCase(Locale.ROOT), v);
        }
    }

    /** Returns the configured spelling of {@code value}, or null when it is not in the list. */
    public String lookup(String value) {
        return value == null ? null : byFolded.get(value.trim().toLowerCase(Locale.ROOT));
    }

    /**
     * Returns the configured spelling of {@code value} or throws invalid input naming it, the
     * vocabulary and the allowed values; {@code where} names the file and row, or the option.
     */
    public String require(String value, String where) {
        String found = lookup(value);
        if (found == null) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.vocabulary.unknown",
                    where, kind, value, String.join(", ", values));
        }
        return found;
    }

    public String kind() {
        return kind;
    }

    public List<String> values() {
        return values;
    }
}
