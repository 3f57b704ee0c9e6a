package dev.dsv.ingest;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.error.Problem;
import dev.dsv.model.CanonicalJson;
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

    /** Reads a labels file for an add: rows name a {@code path} or a {@code dataset_path}. */
    public DsvCsvLabels(Path file) {
        this(file, false);
    }

    /**
     * Reads a labels file; with {@code keyedByImage} (a label import) rows name a
     * {@code dataset_path} (or its alias {@code path}) or a {@code sha256}.
     */
    public DsvCsvLabels(Path file, boolean keyedByImage) {
        this.file = file;
        this.keyedByImage = keyedByImage;
    }

    /** Returns the file this source reads. */
    public Path file() {
        return file;
    }

    @Override
    public List<LabelRow> read(List<Problem> problems) {
        CsvMapper mapper = new CsvMapper();
        mapper.enable(CsvParser.Feature.WRAP_AS_ARRAY);
        mapper.enable(CsvParser.Feature.FAIL_ON_MISSING_COLUMNS);
        List<LabelRow> rows = new ArrayList<>();
        try (Reader reader = utf8Reader(file);
             MappingIterator<String[]> it = mapper.readerFor(String[].class).with(CsvSchema.emptySchema()).readValues(reader)) {
            if (!it.hasNext()) {
                throw new DsvException(ExitCode.INVALID_INPUT, "error.labels.empty", file);
            }
            String[] header = it.next();
            List<String> columns = new ArrayList<>();
            for (String h : header) {
                String name = CanonicalJson.nfc(h.replace("\uFEFF", "").trim()).toLowerCase(Locale.ROOT).replace('-', '_');
                if (columns.contains(name)) {
                    throw new DsvException(ExitCode.INVALID_INPUT, "error.labels.duplicateColumn", file, h);
                }
                columns.add(name);
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
                rows.add(toRow(where, columns, values));
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
        return rows;
    }

    /** Opens a file as strict UTF-8: malformed bytes raise {@link CharacterCodingException} while reading. */
    static Reader utf8Reader(Path file) throws IOException {
        return new java.io.InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT));
    }

    private static LabelRow toRow(String where, List<String> columns, String[] values) {
        Map<String, String> byName = new java.util.HashMap<>();
        SortedMap<String, String> attributes = CanonicalJson.newObject();
        for (int i = 0; i < columns.size(); i++) {
            String value = CanonicalJson.nfc(values[i].trim());
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
