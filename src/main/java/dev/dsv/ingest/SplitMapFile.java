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

/**
 * The mapping file of {@code dsv vocab split}: UTF-8 CSV with the header {@code dataset_path,defects}
 * ({@code path} is read as {@code dataset_path}), one row per image, {@code defects} separated by
 * {@code ;}. Rows come back raw with their {@code file:line}; the service checks the values.
 */
public final class SplitMapFile {
    /** One row: where it is, the dataset path and the defect type names as written. */
    public record Row(String where, String datasetPath, List<String> defects) {
    }

    private SplitMapFile() {
    }

    /** Reads every row; a malformed row adds a problem, a file that is not such a CSV fails at once. */
    public static List<Row> read(Path file, List<Problem> problems) {
        if (!Files.isRegularFile(file)) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.vocab.mapNotFound", file);
        }
        CsvMapper mapper = new CsvMapper();
        mapper.enable(CsvParser.Feature.WRAP_AS_ARRAY);
        List<Row> rows = new ArrayList<>();
        try (Reader reader = new java.io.InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT));
             MappingIterator<String[]> it = mapper.readerFor(String[].class).with(CsvSchema.emptySchema()).readValues(reader)) {
            if (!it.hasNext()) {
                throw new DsvException(ExitCode.INVALID_INPUT, "error.vocab.mapHeader", file + ":1", "");
            }
            String[] header = it.next();
            List<String> columns = new ArrayList<>();
            for (String h : header) {
                String name = CanonicalJson.nfc(h.replace("\uFEFF", "").trim()).toLowerCase(Locale.ROOT).replace('-', '_');
                columns.add(name.equals("path") ? "dataset_path" : name);
            }
            if (columns.size() != 2 || !columns.contains("dataset_path") || !columns.contains("defects")) {
                throw new DsvException(ExitCode.INVALID_INPUT, "error.vocab.mapHeader", file + ":1", String.join(",", header));
            }
            int pathColumn = columns.indexOf("dataset_path");
            int defectsColumn = columns.indexOf("defects");
            while (it.hasNext()) {
                int line = it.getCurrentLocation().getLineNr();
                String[] values = it.next();
                if (values.length == 1 && values[0].isBlank()) {
                    continue;
                }
                String where = file + ":" + line;
                if (values.length != 2) {
                    problems.add(new Problem("error.labels.columnCount", where, values.length, 2));
                    continue;
                }
                String path = CanonicalJson.nfc(values[pathColumn].trim());
                List<String> defects = Arrays.stream(CanonicalJson.nfc(values[defectsColumn]).split(";"))
                        .map(String::trim).filter(s -> !s.isEmpty()).toList();
                rows.add(new Row(where, path, defects));
            }
        } catch (CharacterCodingException e) {
            throw new DsvException(ExitCode.INVALID_INPUT, e, "error.vocab.mapNotUtf8", file);
        } catch (com.fasterxml.jackson.core.JsonProcessingException
                 | com.fasterxml.jackson.databind.RuntimeJsonMappingException e) {
            throw CsvFailure.malformed(file, e);
        } catch (IOException e) {
            throw new DsvException(ExitCode.INVALID_INPUT, e, "error.vocab.mapUnreadable", file, String.valueOf(e.getMessage()));
        }
        return rows;
    }
}
