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
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads a decisions file: CSV with a header, or JSONL (by the {@code .jsonl} or {@code .json}
 * extension). Columns or keys: {@code label} (a label record id) or {@code path} (a dataset
 * path), {@code decision}, {@code defects} (for a relabel; {@code ;}-separated in CSV, a list or
 * such a string in JSONL) and {@code note}. Other columns are ignored, so a filled-in review sheet
 * can be read back; a row with an empty decision is skipped as not yet decided.
 */
public final class DecisionFile {
    /** One row as written; {@code where} is FILE:LINE. */
    public record Row(String where, String label, String path, String decision, List<String> defects, String note) {
    }

    private DecisionFile() {
    }

    /** Reads every row, adding a problem for each malformed one. */
    public static List<Row> read(Path file, List<Problem> problems) {
        if (!Files.isRegularFile(file)) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.review.fileNotFound", file);
        }
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        try {
            return name.endsWith(".jsonl") || name.endsWith(".json") ? jsonl(file, problems) : csv(file, problems);
        } catch (CharacterCodingException e) {
            throw new DsvException(ExitCode.INVALID_INPUT, e, "error.labels.notUtf8", file);
        } catch (com.fasterxml.jackson.core.JsonProcessingException
                 | com.fasterxml.jackson.databind.RuntimeJsonMappingException e) {
            throw dev.dsv.ingest.CsvFailure.malformed(file, e);
        } catch (IOException e) {
            throw new DsvException(ExitCode.INVALID_INPUT, e, "error.labels.unreadable", file, String.valueOf(e.getMessage()));
        }
    }

    private static Reader utf8(Path file) throws IOException {
        return new BufferedReader(new java.io.InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)));
    }

    private static List<Row> csv(Path file, List<Problem> problems) throws IOException {
        CsvMapper mapper = new CsvMapper();
        mapper.enable(CsvParser.Feature.WRAP_AS_ARRAY);
        List<Row> rows = new ArrayList<>();
        try (Reader reader = utf8(file);
             MappingIterator<String[]> it = mapper.readerFor(String[].class).with(CsvSchema.emptySchema()).readValues(reader)) {
            if (!it.hasNext()) {
                throw new DsvException(ExitCode.INVALID_INPUT, "error.review.emptyFile", file);
            }
            List<String> columns = new ArrayList<>();
            for (String h : it.next()) {
                columns.add(h.replace("\uFEFF", "").trim().toLowerCase(Locale.ROOT).replace('-', '_'));
            }
            if (!columns.contains("decision") || !(columns.contains("label") || columns.contains("path")
                    || columns.contains("dataset_path"))) {
                throw new DsvException(ExitCode.INVALID_INPUT, "error.review.columns", file, String.join(", ", columns));
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
                Map<String, String> byName = new HashMap<>();
                for (int i = 0; i < values.length; i++) {
                    byName.put(columns.get(i), values[i].trim());
                }
                String defects = blankToNull(byName.get("defects"));
                rows.add(new Row(where, blankToNull(byName.get("label")),
                        blankToNull(byName.getOrDefault("path", byName.get("dataset_path"))),
                        blankToNull(byName.get("decision")), splitDefects(defects), blankToNull(byName.get("note"))));
            }
        }
        return rows;
    }

    private static List<Row> jsonl(Path file, List<Problem> problems) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<Row> rows = new ArrayList<>();
        int line = 0;
        try (BufferedReader reader = (BufferedReader) utf8(file)) {
            for (String text = reader.readLine(); text != null; text = reader.readLine()) {
                line++;
                if (text.isBlank()) {
                    continue;
                }
                String where = file + ":" + line;
                JsonNode n;
                try {
                    n = json.readTree(text);
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    problems.add(new Problem("error.review.malformed", where, e.getOriginalMessage()));
                    continue;
                }
                if (!n.isObject()) {
                    problems.add(new Problem("error.review.malformed", where, "not a JSON object"));
                    continue;
                }
                List<String> defects;
                JsonNode d = n.get("defects");
                if (d == null || d.isNull()) {
                    defects = null;
                } else if (d.isArray()) {
                    defects = new ArrayList<>();
                    for (JsonNode v : d) {
                        defects.add(v.isObject() ? v.path("type").asText() : v.asText());
                    }
                } else {
                    defects = splitDefects(blankToNull(d.asText()));
                }
                rows.add(new Row(where, text(n, "label"), text(n, "path") != null ? text(n, "path") : text(n, "dataset_path"),
                        text(n, "decision"), defects, text(n, "note")));
            }
        }
        return rows;
    }

    private static String text(JsonNode n, String key) {
        JsonNode v = n.get(key);
        return v == null || v.isNull() ? null : blankToNull(v.asText().trim());
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    /** Splits "crack;microcrack" (or with commas) into defect types; null for no value. */
    static List<String> splitDefects(String text) {
        if (text == null) {
            return null;
        }
        List<String> out = new ArrayList<>();
        for (String part : text.split("[;,]")) {
            if (!part.isBlank()) {
                out.add(part.trim());
            }
        }
        return out;
    }
}
