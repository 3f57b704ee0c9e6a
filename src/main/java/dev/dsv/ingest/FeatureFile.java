package dev.dsv.ingest;

import com.fasterxml.jackson.databind.DeserializationFeature;
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
import dev.dsv.model.FeatureVector;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.math.BigDecimal;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Reader of a feature-vector file for {@code dsv features import}: CSV (a header whose first
 * column is {@code dataset_path}, {@code path} or {@code sha256}, then one column per dimension)
 * or JSONL ({@code {"path": P, "vector": [...]}} or {@code {"sha256": H, "vector": [...]}} per
 * line). Rows stream to a consumer, so a large file is never held in memory; a row with a problem
 * is reported and not passed on. Every row must have the dimension of the first good row.
 */
public final class FeatureFile {
    /** One good row: where it is, its key (exactly one of path and sha256) and its vector. */
    public record Row(String where, String path, String sha256, FeatureVector vector) {
    }

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);

    private final Path file;
    private int dimensions = -1;
    private String firstRow;

    public FeatureFile(Path file) {
        this.file = file;
    }

    /** Returns true when the file name ends in {@code .jsonl} or {@code .ndjson}; any other file is read as CSV. */
    public static boolean isJsonLines(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".jsonl") || name.endsWith(".ndjson");
    }

    /** Returns the dimension of the good rows, or -1 when there were none. */
    public int dimensions() {
        return dimensions;
    }

    /** Returns where the first good row is (file:line), or null when there was none. */
    public String firstRow() {
        return firstRow;
    }

    /** Reads every row, passing good rows to {@code rows} and adding a problem for each bad one. */
    public void read(Consumer<Row> rows, List<Problem> problems) {
        if (!Files.isRegularFile(file)) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.features.notFound", file);
        }
        try {
            if (isJsonLines(file)) {
                readJsonLines(rows, problems);
            } else {
                readCsv(rows, problems);
            }
        } catch (CharacterCodingException e) {
            throw new DsvException(ExitCode.INVALID_INPUT, e, "error.features.notUtf8", file);
        } catch (com.fasterxml.jackson.core.JsonProcessingException
                 | com.fasterxml.jackson.databind.RuntimeJsonMappingException e) {
            throw CsvFailure.malformed(file, e);
        } catch (IOException e) {
            throw new DsvException(ExitCode.IO_ERROR, e, "error.io", file, e.getMessage());
        }
    }

    private void readCsv(Consumer<Row> rows, List<Problem> problems) throws IOException {
        CsvMapper mapper = new CsvMapper();
        mapper.enable(CsvParser.Feature.WRAP_AS_ARRAY);
        try (Reader reader = DsvCsvLabels.utf8Reader(file);
             MappingIterator<String[]> it = mapper.readerFor(String[].class).with(CsvSchema.emptySchema())
                     .readValues(reader)) {
            if (!it.hasNext()) {
                throw new DsvException(ExitCode.INVALID_INPUT, "error.features.empty", file);
            }
            String[] header = it.next();
            String key = header.length == 0 ? "" : header[0].replace("\uFEFF", "").trim().toLowerCase(Locale.ROOT);
            boolean byBlob = key.equals("sha256");
            if (!byBlob && !key.equals("dataset_path") && !key.equals("path")) {
                throw new DsvException(ExitCode.INVALID_INPUT, "error.features.csvKey", file, key);
            }
            if (header.length < 2) {
                throw new DsvException(ExitCode.INVALID_INPUT, "error.features.csvNoValues", file);
            }
            while (it.hasNext()) {
                int line = it.getCurrentLocation().getLineNr();
                String[] cells = it.next();
                if (cells.length == 1 && cells[0].isBlank()) {
                    continue;
                }
                String where = file + ":" + line;
                if (cells.length != header.length) {
                    problems.add(new Problem("error.features.csvColumns", where, cells.length, header.length));
                    continue;
                }
                List<BigDecimal> values = new ArrayList<>(cells.length - 1);
                boolean ok = true;
                for (int i = 1; i < cells.length && ok; i++) {
                    ok = addValue(values, cells[i], where, header[i].trim(), problems);
                }
                if (ok) {
                    String id = cells[0].trim();
                    accept(new Row(where, byBlob ? null : id, byBlob ? id : null, null), values, rows, problems);
                }
            }
        }
    }

    private void readJsonLines(Consumer<Row> rows, List<Problem> problems) throws IOException {
        try (BufferedReader reader = new BufferedReader(DsvCsvLabels.utf8Reader(file))) {
            String text;
            int line = 0;
            while ((text = reader.readLine()) != null) {
                line++;
                if (text.isBlank()) {
                    continue;
                }
                String where = file + ":" + line;
                JsonNode n;
                try {
                    n = JSON.readTree(text.replace("\uFEFF", ""));
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    // Jackson appends how to switch the check off (": enable JsonReadFeature..."),
                    // which is no advice for a user of dsv.
                    String reason = e.getOriginalMessage();
                    int cut = reason.indexOf(": enable");
                    problems.add(new Problem("error.features.jsonInvalid", where, cut > 0 ? reason.substring(0, cut) : reason));
                    continue;
                }
                Row key = jsonKey(n, where, problems);
                if (key == null) {
                    continue;
                }
                JsonNode vector = n.get("vector");
                List<BigDecimal> values = new ArrayList<>(vector.size());
                boolean ok = true;
                for (int i = 0; i < vector.size() && ok; i++) {
                    JsonNode v = vector.get(i);
                    if (v.isNumber()) {
                        ok = addDecimal(values, v.decimalValue(), v.asText(), where, "vector[" + i + "]", problems);
                    } else {
                        problems.add(new Problem("error.features.notNumber", where, "vector[" + i + "]", v.toString()));
                        ok = false;
                    }
                }
                if (ok) {
                    accept(key, values, rows, problems);
                }
            }
        }
    }

    /** Returns a row holding only the key of a JSONL object, or null after adding a problem. */
    private static Row jsonKey(JsonNode n, String where, List<Problem> problems) {
        if (!n.isObject()) {
            problems.add(new Problem("error.features.jsonNotObject", where));
            return null;
        }
        for (Map.Entry<String, JsonNode> f : n.properties()) {
            if (!List.of("path", "sha256", "vector").contains(f.getKey())) {
                problems.add(new Problem("error.features.jsonField", where, f.getKey()));
                return null;
            }
        }
        JsonNode path = n.get("path");
        JsonNode sha = n.get("sha256");
        if ((path == null) == (sha == null) || !(path == null ? sha : path).isTextual()) {
            problems.add(new Problem("error.features.jsonKey", where));
            return null;
        }
        if (!n.path("vector").isArray()) {
            problems.add(new Problem("error.features.jsonVector", where));
            return null;
        }
        return new Row(where, path == null ? null : path.asText(), sha == null ? null : sha.asText(), null);
    }

    private static boolean addValue(List<BigDecimal> values, String text, String where, String column,
                                    List<Problem> problems) {
        BigDecimal raw;
        try {
            raw = FeatureVector.parseValue(text);
        } catch (NumberFormatException e) {
            problems.add(new Problem("error.features.notNumber", where, column, text));
            return false;
        } catch (IllegalArgumentException e) {
            problems.add(new Problem("error.features.outOfRange", where, column, text));
            return false;
        }
        values.add(raw);
        return true;
    }

    private static boolean addDecimal(List<BigDecimal> values, BigDecimal raw, String text, String where,
                                      String column, List<Problem> problems) {
        try {
            values.add(FeatureVector.canonicalValue(raw));
            return true;
        } catch (IllegalArgumentException e) {
            problems.add(new Problem("error.features.outOfRange", where, column, text));
            return false;
        }
    }

    /** Checks the dimension against the first good row and passes the row on. */
    private void accept(Row key, List<BigDecimal> values, Consumer<Row> rows, List<Problem> problems) {
        if (values.isEmpty() || values.size() > FeatureVector.MAX_DIMENSIONS) {
            problems.add(new Problem("error.features.dimensionLimit", key.where(), values.size(),
                    FeatureVector.MAX_DIMENSIONS));
            return;
        }
        if (dimensions < 0) {
            dimensions = values.size();
            firstRow = key.where();
        } else if (values.size() != dimensions) {
            problems.add(new Problem("error.features.ragged", key.where(), values.size(), dimensions, firstRow));
            return;
        }
        String path = key.path() == null ? null : CanonicalJson.nfc(key.path());
        rows.accept(new Row(key.where(), path, key.sha256(), new FeatureVector(values)));
    }
}
