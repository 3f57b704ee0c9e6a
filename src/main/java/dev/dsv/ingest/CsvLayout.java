package dev.dsv.ingest;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.model.CanonicalJson;
import java.io.BufferedReader;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * The layout of a labels file that is not in dsv's own form: its delimiter, whether it has a
 * header row, which file column feeds each dsv column, and rules that rewrite the values of a dsv
 * column. {@link #DEFAULT} is dsv's own CSV.
 *
 * <p>{@code columns} maps a dsv column (a name from {@link DsvCsvLabels#KNOWN_COLUMNS}) to a
 * header name, or, without a header, to a 1-based column position. One file column may feed
 * several dsv columns. {@code valueRules} maps a dsv column to its rules (file value to dsv value),
 * where the value {@code *} stands for every other non-empty value.
 */
public record CsvLayout(Delimiter delimiter, boolean header, Map<String, String> columns,
                        Map<String, Map<String, String>> valueRules) {

    /** dsv's own CSV: comma-separated, a header row, no renames, no value rules. */
    public static final CsvLayout DEFAULT = new CsvLayout(Delimiter.COMMA, true, Map.of(), Map.of());

    /** The value of a rule that matches every non-empty value without a rule of its own. */
    public static final String ANY_VALUE = "*";

    /** The separator between the values of a row. */
    public enum Delimiter {
        COMMA(','), SEMICOLON(';'), TAB('\t'), WHITESPACE(' ');

        private final char separator;

        Delimiter(char separator) {
            this.separator = separator;
        }

        /** Returns the separator for a CSV parser; {@link #WHITESPACE} is split by dsv instead. */
        public char separator() {
            return separator;
        }

        /** Parses {@code --delimiter}: {@code ,} (or comma), {@code ;} (or semicolon), tab, whitespace. */
        public static Delimiter parse(String text) {
            String t = text.strip().toLowerCase(Locale.ROOT);
            return switch (t) {
                case ",", "comma" -> COMMA;
                case ";", "semicolon" -> SEMICOLON;
                case "tab", "\\t", "\t" -> TAB;
                case "whitespace", "space" -> WHITESPACE;
                default -> text.equals("\t") ? TAB
                        : throwInvalid("error.layout.delimiter", text, ", ; tab whitespace");
            };
        }
    }

    public CsvLayout {
        columns = Collections.unmodifiableMap(new LinkedHashMap<>(columns));
        Map<String, Map<String, String>> rules = new LinkedHashMap<>();
        valueRules.forEach((column, map) -> rules.put(column, Collections.unmodifiableMap(new LinkedHashMap<>(map))));
        valueRules = Collections.unmodifiableMap(rules);
    }

    /**
     * Builds a layout from the options of {@code dsv add} and {@code dsv label import}. Null
     * arguments are options not given. Every error is an invalid-input {@link DsvException} that
     * names the option or the columns file and line.
     */
    public static CsvLayout fromOptions(String delimiter, boolean noHeader, String columnsOption, Path columnsFile,
                                        List<String> mapOptions) {
        if (columnsOption != null && columnsFile != null) {
            throw new DsvException(ExitCode.USAGE, "error.layout.columnsTwice");
        }
        Map<String, String> columns = new LinkedHashMap<>();
        if (columnsOption != null) {
            for (String part : columnsOption.split(",")) {
                if (!part.isBlank()) {
                    addColumn(columns, part, "--columns", !noHeader);
                }
            }
        } else if (columnsFile != null) {
            readColumnsFile(columnsFile, columns, !noHeader);
        }
        if (noHeader && columns.isEmpty()) {
            throw new DsvException(ExitCode.USAGE, "error.layout.noHeaderNoColumns");
        }
        Map<String, Map<String, String>> rules = new LinkedHashMap<>();
        for (String rule : mapOptions == null ? List.<String>of() : mapOptions) {
            addRule(rules, rule);
        }
        Delimiter d = delimiter == null ? Delimiter.COMMA : Delimiter.parse(delimiter);
        return new CsvLayout(d, !noHeader, columns, rules);
    }

    /**
     * Rewrites {@code value} of dsv column {@code column} by its rules. A column without rules, and
     * an empty value without an empty-value rule, keep the value. Returns null when no rule matches.
     */
    public String rewrite(String column, String value) {
        Map<String, String> rules = valueRules.get(column);
        if (rules == null) {
            return value;
        }
        if (rules.containsKey(value)) {
            return rules.get(value);
        }
        BigDecimal number = number(value);
        if (number != null) {
            for (Map.Entry<String, String> rule : rules.entrySet()) {
                BigDecimal ruleNumber = number(rule.getKey());
                if (ruleNumber != null && ruleNumber.compareTo(number) == 0) {
                    return rule.getValue();
                }
            }
        }
        if (value.isEmpty()) {
            return value;
        }
        return rules.get(ANY_VALUE);
    }

    /** Returns the rules of a column as {@code VALUE=NEW} text for messages. */
    public String describeRules(String column) {
        List<String> parts = new ArrayList<>();
        valueRules.getOrDefault(column, Map.of()).forEach((from, to) -> parts.add(from + "=" + to));
        return String.join(", ", parts);
    }

    /** Normalizes a column name as a header name is read: NFC, trimmed, lower case, {@code -} as {@code _}. */
    public static String normalizeName(String name) {
        return CanonicalJson.nfc(name.replace("\uFEFF", "").trim()).toLowerCase(Locale.ROOT).replace('-', '_');
    }

    private static void addColumn(Map<String, String> columns, String mapping, String origin, boolean header) {
        int eq = mapping.indexOf('=');
        if (eq <= 0 || eq == mapping.length() - 1) {
            throwInvalid("error.layout.badMapping", origin, mapping.strip());
        }
        String target = normalizeName(mapping.substring(0, eq));
        String source = mapping.substring(eq + 1).strip();
        if (!DsvCsvLabels.KNOWN_COLUMNS.contains(target)) {
            throwInvalid("error.layout.unknownTarget", origin, target, String.join(", ", new TreeSet<>(DsvCsvLabels.KNOWN_COLUMNS)));
        }
        if (columns.containsKey(target)) {
            throwInvalid("error.layout.duplicateTarget", origin, target, columns.get(target), source);
        }
        if (header) {
            source = normalizeName(source);
        } else if (position(source) < 1) {
            throwInvalid("error.layout.notPosition", origin, target, source);
        }
        columns.put(target, source);
    }

    private static void readColumnsFile(Path file, Map<String, String> columns, boolean header) {
        if (!java.nio.file.Files.isRegularFile(file)) {
            throwInvalid("error.layout.columnsFileNotFound", file);
        }
        try (BufferedReader reader = new BufferedReader(DsvCsvLabels.utf8Reader(file))) {
            int lineNumber = 0;
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                lineNumber++;
                String text = line.replace("\uFEFF", "").strip();
                if (!text.isEmpty() && !text.startsWith("#")) {
                    addColumn(columns, text, file + ":" + lineNumber, header);
                }
            }
        } catch (CharacterCodingException e) {
            throw new DsvException(ExitCode.INVALID_INPUT, e, "error.labels.notUtf8", file);
        } catch (IOException e) {
            throw new DsvException(ExitCode.INVALID_INPUT, e, "error.labels.unreadable", file, String.valueOf(e.getMessage()));
        }
    }

    private static void addRule(Map<String, Map<String, String>> rules, String rule) {
        int colon = rule.indexOf(':');
        int eq = colon < 0 ? -1 : rule.indexOf('=', colon + 1);
        if (colon <= 0 || eq < 0) {
            throwInvalid("error.layout.badRule", rule);
        }
        String target = normalizeName(rule.substring(0, colon));
        if (!DsvCsvLabels.KNOWN_COLUMNS.contains(target)) {
            throwInvalid("error.layout.unknownTarget", "--map", target, String.join(", ", new TreeSet<>(DsvCsvLabels.KNOWN_COLUMNS)));
        }
        String from = CanonicalJson.nfc(rule.substring(colon + 1, eq).strip());
        String to = CanonicalJson.nfc(rule.substring(eq + 1).strip());
        Map<String, String> columnRules = rules.computeIfAbsent(target, k -> new LinkedHashMap<>());
        if (columnRules.containsKey(from)) {
            throwInvalid("error.layout.duplicateRule", target, from, columnRules.get(from), to);
        }
        columnRules.put(from, to);
    }

    /** Returns the 1-based position in {@code text}, or -1 when it is not a positive integer. */
    static int position(String text) {
        if (text.isEmpty() || text.length() > 6 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return -1;
        }
        return Integer.parseInt(text);
    }

    private static BigDecimal number(String text) {
        if (text.isEmpty() || text.equals(ANY_VALUE)) {
            return null;
        }
        try {
            return CanonicalJson.parseModest(text);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static <T> T throwInvalid(String key, Object... arguments) {
        throw new DsvException(ExitCode.INVALID_INPUT, key, arguments);
    }
}
