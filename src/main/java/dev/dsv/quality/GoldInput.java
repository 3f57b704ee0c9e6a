package dev.dsv.quality;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.Locale;
import java.util.Set;

/**
 * Reads gold set votes and gold test answers: one row per image (and expert, for votes) naming the
 * image by dataset path or blob id, with its defect types. A file whose name ends in
 * {@code .jsonl} or {@code .ndjson} holds one JSON object per line; any other file is a CSV with a
 * header row. Known columns and keys: {@code path} (alias {@code dataset_path}), {@code sha256}
 * (alias {@code blob}), {@code expert}, {@code defects} (CSV: types separated by {@code ;}, empty
 * or {@code none} for no defect; JSON: a list or such a string), and {@code regions}, which is read
 * over. Any other column is an error, so a misspelled column cannot pass unnoticed.
 */
final class GoldInput {
    /** One row: where it is (file:line), the image reference, the expert (votes only), defect types. */
    record Row(String where, String path, String blob, String expert, List<String> defects) {
    }

    private static final Set<String> COLUMNS = Set.of("path", "sha256", "expert", "defects", "regions");
    private static final ObjectMapper JSON = new ObjectMapper();

    private GoldInput() {
    }

    /**
     * Reads all rows; a row with a problem adds it and is skipped. {@code withExpert} is true for a
     * file of expert votes (an {@code expert} value is required) and false for a labeler's answers.
     */
    static List<Row> read(Path file, boolean withExpert, List<Problem> problems) {
        if (!Files.isRegularFile(file)) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.gold.fileNotFound", file);
        }
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        try {
            List<Row> rows = name.endsWith(".jsonl") || name.endsWith(".ndjson")
                    ? readJsonLines(file, withExpert, problems) : readCsv(file, withExpert, problems);
            if (rows.isEmpty() && problems.isEmpty()) {
                throw new DsvException(ExitCode.INVALID_INPUT, "error.gold.empty", file);
            }
            return rows;
        } catch (CharacterCodingException e) {
            throw new DsvException(ExitCode.INVALID_INPUT, e, "error.labels.notUtf8", file);
        } catch (com.fasterxml.jackson.core.JsonProcessingException
                 | com.fasterxml.jackson.databind.RuntimeJsonMappingException e) {
            throw dev.dsv.ingest.CsvFailure.malformed(file, e);
        } catch (IOException e) {
            throw new DsvException(ExitCode.INVALID_INPUT, e, "error.labels.unreadable", file, String.valueOf(e.getMessage()));
        }
    }

    private static Reader utf8Reader(Path file) throws IOException {
        return new BufferedReader(new java.io.InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8
                .newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)));
    }

    private static String column(String header) {
        String c = CanonicalJson.nfc(header.replace("\uFEFF", "").trim()).toLowerCase(Locale.ROOT).replace('-', '_');
        return switch (c) {
            case "dataset_path" -> "path";
            case "blob" -> "sha256";
            default -> c;
        };
    }

    private static List<Row> readCsv(Path file, boolean withExpert, List<Problem> problems) throws IOException {
        CsvMapper mapper = new CsvMapper();
        mapper.enable(CsvParser.Feature.WRAP_AS_ARRAY);
        List<Row> rows = new ArrayList<>();
        try (Reader reader = utf8Reader(file);
             MappingIterator<String[]> it = mapper.readerFor(String[].class).with(CsvSchema.emptySchema()).readValues(reader)) {
            if (!it.hasNext()) {
                throw new DsvException(ExitCode.INVALID_INPUT, "error.gold.empty", file);
            }
            List<String> columns = new ArrayList<>();
            for (String h : it.next()) {
                String c = column(h);
                if (!COLUMNS.contains(c) || (!withExpert && c.equals("expert"))) {
                    throw new DsvException(ExitCode.INVALID_INPUT, "error.gold.unknownColumn", file + ":1", h,
                            withExpert ? "path or sha256, expert, defects" : "path or sha256, defects");
                }
                if (columns.contains(c)) {
                    throw new DsvException(ExitCode.INVALID_INPUT, "error.labels.duplicateColumn", file, h);
                }
                columns.add(c);
            }
            if (!columns.contains("path") && !columns.contains("sha256")) {
                throw new DsvException(ExitCode.INVALID_INPUT, "error.gold.missingColumn", file + ":1", "path or sha256");
            }
            if (!columns.contains("defects")) {
                throw new DsvException(ExitCode.INVALID_INPUT, "error.gold.missingColumn", file + ":1", "defects");
            }
            if (withExpert && !columns.contains("expert")) {
                throw new DsvException(ExitCode.INVALID_INPUT, "error.gold.missingColumn", file + ":1", "expert");
            }
            while (it.hasNext()) {
                int line = it.getCurrentLocation().getLineNr();
                String[] values = it.next();
                if (values.length == 1 && values[0].isBlank()) {
                    continue;
                }
                String where = file + ":" + line;
                if (values.length != columns.size()) {
                    problems.add(new Problem("error.labels.columnCount", where, values.length, columns.size()));
                    continue;
                }
                String path = null;
                String blob = null;
                String expert = null;
                String defects = null;
                for (int i = 0; i < values.length; i++) {
                    String v = CanonicalJson.nfc(values[i].trim());
                    v = v.isEmpty() ? null : v;
                    switch (columns.get(i)) {
                        case "path" -> path = v;
                        case "sha256" -> blob = v;
                        case "expert" -> expert = v;
                        case "defects" -> defects = v;
                        default -> { }
                    }
                }
                Row row = row(where, path, blob, expert, splitTypes(defects), withExpert, problems);
                if (row != null) {
                    rows.add(row);
                }
            }
        }
        return rows;
    }

    private static List<Row> readJsonLines(Path file, boolean withExpert, List<Problem> problems) throws IOException {
        List<Row> rows = new ArrayList<>();
        try (BufferedReader reader = (BufferedReader) utf8Reader(file)) {
            String line;
            int lineNumber = 0;
            while ((line = reader.readLine()) != null) {
                lineNumber++;
                if (line.isBlank()) {
                    continue;
                }
                String where = file + ":" + lineNumber;
                JsonNode n;
                try {
                    n = JSON.readTree(line);
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    problems.add(new Problem("error.gold.badJson", where, e.getOriginalMessage()));
                    continue;
                }
                if (n == null || !n.isObject()) {
                    problems.add(new Problem("error.gold.badJson", where, "each line must be one JSON object"));
                    continue;
                }
                boolean bad = false;
                String path = null;
                String blob = null;
                String expert = null;
                List<String> defects = null;
                for (var it = n.fields(); it.hasNext(); ) {
                    var f = it.next();
                    String key = column(f.getKey());
                    JsonNode v = f.getValue();
                    if (!COLUMNS.contains(key) || (!withExpert && key.equals("expert"))) {
                        problems.add(new Problem("error.gold.unknownColumn", where, f.getKey(),
                                withExpert ? "path or sha256, expert, defects" : "path or sha256, defects"));
                        bad = true;
                    } else if (key.equals("defects")) {
                        if (v.isArray()) {
                            defects = new ArrayList<>();
                            for (JsonNode d : v) {
                                defects.add(CanonicalJson.nfc(d.asText().trim()));
                            }
                        } else if (v.isTextual() || v.isNull()) {
                            defects = splitTypes(v.isNull() ? null : v.asText());
                        } else {
                            problems.add(new Problem("error.gold.badJson", where, "\"defects\" must be a list of defect types"));
                            bad = true;
                        }
                    } else if (!key.equals("regions")) {
                        String text = v.isNull() ? null : CanonicalJson.nfc(v.asText().trim());
                        text = text == null || text.isEmpty() ? null : text;
                        switch (key) {
                            case "path" -> path = text;
                            case "sha256" -> blob = text;
                            default -> expert = text;
                        }
                    }
                }
                if (bad) {
                    continue;
                }
                if (defects == null) {
                    problems.add(new Problem("error.gold.missingValue", where, "defects"));
                    continue;
                }
                Row row = row(where, path, blob, expert, defects, withExpert, problems);
                if (row != null) {
                    rows.add(row);
                }
            }
        }
        return rows;
    }

    /** Checks the values every row needs; returns null after adding a problem. */
    private static Row row(String where, String path, String blob, String expert, List<String> defects,
                           boolean withExpert, List<Problem> problems) {
        if (path == null && blob == null) {
            problems.add(new Problem("error.gold.missingValue", where, "path or sha256"));
            return null;
        }
        if (withExpert && expert == null) {
            problems.add(new Problem("error.gold.missingValue", where, "expert"));
            return null;
        }
        List<String> types = new ArrayList<>();
        for (String d : defects) {
            if (d.isEmpty()) {
                continue;
            }
            if (d.equalsIgnoreCase("none")) {
                if (defects.stream().anyMatch(x -> !x.isEmpty() && !x.equalsIgnoreCase("none"))) {
                    problems.add(new Problem("error.add.noneWithDefects", where, String.join(";", defects)));
                    return null;
                }
                continue;
            }
            types.add(d);
        }
        return new Row(where, path, blob, expert, types);
    }

    private static List<String> splitTypes(String text) {
        if (text == null) {
            return List.of();
        }
        return Arrays.stream(text.split(";")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
}
