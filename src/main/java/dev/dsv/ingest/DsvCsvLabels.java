package dev.dsv.ingest;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.error.Problem;
import dev.dsv.model.CanonicalJson;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;

/**
 * dsv's own labels CSV: UTF-8, a header row, RFC 4180 quoting. Known columns are listed in
 * {@link #KNOWN_COLUMNS}; every other column becomes an image attribute. Header names are matched
 * case-insensitively, with {@code -} read as {@code _}.
 */
public final class DsvCsvLabels implements LabelSource {
    public static final Set<String> KNOWN_COLUMNS = Set.of("path", "dataset_path", "sha256", "cell_type", "defects",
            "regions", "split", "confidence", "labeler", "labeled_at", "source", "generator",
            "guideline");

    private final Path file;
    private final boolean keyedByImage;
    private final CsvLayout layout;

    /** Reads a labels file for an add: rows name a {@code path} or a {@code dataset_path}. */
    public DsvCsvLabels(Path file) {
        this(file, false, CsvLayout.DEFAULT);
    }

    /**
     * Reads a labels file; with {@code keyedByImage} (a label import) rows name a
     * {@code dataset_path} (or its alias {@code path}) or a {@code sha256}.
     */
    public DsvCsvLabels(Path file, boolean keyedByImage) {
        this(file, keyedByImage, CsvLayout.DEFAULT);
    }

    /** Reads a labels file in another layout (delimiter, header, column mapping, value rules). */
    public DsvCsvLabels(Path file, boolean keyedByImage, CsvLayout layout) {
        this.file = file;
        this.keyedByImage = keyedByImage;
        this.layout = layout;
    }

    /** Returns the file this source reads. */
    public Path file() {
        return file;
    }

    /** One dsv column of a row: its name and the 0-based index of the file column that feeds it. */
    private record Field(String name, int index) {
    }

    /** One non-blank row of the file with its 1-based line number. */
    private record Line(int number, String[] values) {
    }

    @Override
    public List<LabelRow> read(List<Problem> problems) {
        List<Line> lines = readLines();
        if (lines.isEmpty() && layout.header()) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.labels.empty", file);
        }
        List<Field> fields;
        int headerSize = -1;
        int first = 0;
        if (layout.header()) {
            String[] header = lines.get(0).values();
            headerSize = header.length;
            fields = headerFields(header);
            first = 1;
        } else {
            fields = new ArrayList<>();
            layout.columns().forEach((target, position) -> fields.add(new Field(target, Integer.parseInt(position) - 1)));
        }
        List<String> columns = new ArrayList<>(fields.stream().map(Field::name).toList());
        for (String ruled : layout.valueRules().keySet()) {
            if (!columns.contains(ruled)) {
                // A rule for a column the file does not have would silently do nothing.
                throw new DsvException(ExitCode.INVALID_INPUT, "error.layout.ruleWithoutColumn", file, ruled,
                        String.join(", ", columns));
            }
        }
        if (keyedByImage && columns.contains("path") && !columns.contains("dataset_path")) {
            columns.set(columns.indexOf("path"), "dataset_path");
        }
        boolean keyed = columns.contains("path") || columns.contains("dataset_path")
                || (keyedByImage && columns.contains("sha256"));
        if (!keyed) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.labels.noPathColumn", file, String.join(", ", columns));
        }
        if (columns.contains("path") && columns.contains("dataset_path")) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.labels.twoPathColumns", file);
        }
        List<LabelRow> rows = new ArrayList<>();
        for (Line line : lines.subList(first, lines.size())) {
            String where = file + ":" + line.number();
            String[] values = line.values();
            if (headerSize >= 0 && values.length != headerSize) {
                problems.add(new Problem("error.labels.columnCount", where, values.length, headerSize));
                continue;
            }
            List<String> picked = pick(where, fields, values, problems);
            if (picked != null) {
                rows.add(toRow(where, columns, picked));
            }
        }
        return rows;
    }

    /** Reads every non-blank row, splitting it by the layout's delimiter. */
    private List<Line> readLines() {
        List<Line> lines = new ArrayList<>();
        try (Reader reader = utf8Reader(file)) {
            if (layout.delimiter() == CsvLayout.Delimiter.WHITESPACE) {
                readWhitespaceLines(reader, lines);
            } else {
                readCsvLines(reader, lines);
            }
        } catch (CharacterCodingException e) {
            throw new DsvException(ExitCode.INVALID_INPUT, e, "error.labels.notUtf8", file);
        } catch (com.fasterxml.jackson.core.JsonProcessingException
                 | com.fasterxml.jackson.databind.RuntimeJsonMappingException e) {
            throw CsvFailure.malformed(file, e);
        } catch (IOException | RuntimeException e) {
            if (e instanceof DsvException d) {
                throw d;
            }
            throw new DsvException(ExitCode.INVALID_INPUT, e, "error.labels.unreadable", file, String.valueOf(e.getMessage()));
        }
        return lines;
    }

    private void readCsvLines(Reader reader, List<Line> lines) throws IOException {
        CsvMapper mapper = new CsvMapper();
        mapper.enable(CsvParser.Feature.WRAP_AS_ARRAY);
        mapper.enable(CsvParser.Feature.FAIL_ON_MISSING_COLUMNS);
        CsvSchema schema = CsvSchema.emptySchema().withColumnSeparator(layout.delimiter().separator());
        try (MappingIterator<String[]> it = mapper.readerFor(String[].class).with(schema).readValues(reader)) {
            while (it.hasNext()) {
                int number = it.getCurrentLocation().getLineNr();
                String[] values = it.next();
                boolean blank = values.length == 1 && values[0].isBlank();
                if (!blank || (lines.isEmpty() && layout.header())) {
                    lines.add(new Line(number, values));
                }
            }
        }
    }

    /** Splits rows at runs of spaces and tabs; this layout has no quoting, so a value cannot hold a space. */
    private static void readWhitespaceLines(Reader reader, List<Line> lines) throws IOException {
        BufferedReader buffered = new BufferedReader(reader);
        int number = 0;
        for (String text = buffered.readLine(); text != null; text = buffered.readLine()) {
            number++;
            String stripped = text.replace("\uFEFF", "").strip();
            if (!stripped.isEmpty()) {
                lines.add(new Line(number, stripped.split("[ \t]+")));
            }
        }
    }

    /**
     * Names the dsv column fed by each file column of a header: mapped header names give the
     * mapped dsv columns, the other header names stay as they are.
     */
    private List<Field> headerFields(String[] header) {
        List<String> names = new ArrayList<>();
        for (String h : header) {
            String name = CsvLayout.normalizeName(h);
            if (names.contains(name)) {
                throw new DsvException(ExitCode.INVALID_INPUT, "error.labels.duplicateColumn", file, h);
            }
            names.add(name);
        }
        java.util.Set<Integer> mapped = new java.util.HashSet<>();
        List<Field> fields = new ArrayList<>();
        for (Map.Entry<String, String> m : layout.columns().entrySet()) {
            int index = names.indexOf(m.getValue());
            if (index < 0) {
                throw new DsvException(ExitCode.INVALID_INPUT, "error.layout.columnNotInHeader", file, m.getValue(),
                        m.getKey(), String.join(", ", names));
            }
            mapped.add(index);
            fields.add(new Field(m.getKey(), index));
        }
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            if (mapped.contains(i)) {
                continue;
            }
            if (layout.columns().containsKey(name)) {
                throw new DsvException(ExitCode.INVALID_INPUT, "error.layout.targetInHeader", file, name,
                        layout.columns().get(name));
            }
            fields.add(new Field(name, i));
        }
        return fields;
    }

    /**
     * Returns the value of each field in a row, trimmed and rewritten by the layout's value rules,
     * or null after adding a problem (a position beyond the row, a value no rule matches).
     */
    private List<String> pick(String where, List<Field> fields, String[] values, List<Problem> problems) {
        List<String> picked = new ArrayList<>();
        boolean ok = true;
        for (Field f : fields) {
            if (f.index() >= values.length) {
                problems.add(new Problem("error.layout.beyondRow", where, f.index() + 1, f.name(), values.length));
                ok = false;
                continue;
            }
            String value = CanonicalJson.nfc(values[f.index()].replace("\uFEFF", "").trim());
            String rewritten = layout.rewrite(f.name(), value);
            if (rewritten == null) {
                problems.add(new Problem("error.layout.noRule", where, f.name(), columnName(f), value,
                        layout.describeRules(f.name())));
                ok = false;
                continue;
            }
            picked.add(rewritten);
        }
        return ok ? picked : null;
    }

    private String columnName(Field f) {
        return layout.header() ? layout.columns().getOrDefault(f.name(), f.name()) : String.valueOf(f.index() + 1);
    }

    /** Opens a file as strict UTF-8: malformed bytes raise {@link CharacterCodingException} while reading. */
    static Reader utf8Reader(Path file) throws IOException {
        return new java.io.InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT));
    }

    private static LabelRow toRow(String where, List<String> columns, List<String> values) {
        Map<String, String> byName = new java.util.HashMap<>();
        SortedMap<String, String> attributes = CanonicalJson.newObject();
        for (int i = 0; i < columns.size(); i++) {
            String value = values.get(i);
            if (KNOWN_COLUMNS.contains(columns.get(i))) {
                byName.put(columns.get(i), value.isEmpty() ? null : value);
            } else if (!value.isEmpty()) {
                attributes.put(columns.get(i), value);
            }
        }
        List<String> defects = null;
        if (columns.contains("defects")) {
            String d = byName.get("defects");
            defects = d == null ? List.of() : Arrays.stream(d.split(";")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        }
        return new LabelRow(where, byName.get("path"), byName.get("dataset_path"), byName.get("sha256"),
                byName.get("cell_type"), defects,
                byName.get("regions"), byName.get("split"), byName.get("confidence"), byName.get("labeler"),
                byName.get("labeled_at"), byName.get("source"), byName.get("generator"), attributes,
                byName.get("guideline"));
    }
}
