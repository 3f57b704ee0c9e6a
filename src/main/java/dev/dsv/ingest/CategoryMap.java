package dev.dsv.ingest;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.error.Problem;
import dev.dsv.model.CanonicalJson;
import dev.dsv.repo.Vocabulary;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Maps the category (class) names of an annotation file to defect types. Without a mapping file
 * a category name must itself be a defect type of the vocabulary; a mapping file is a CSV with
 * the header {@code category,defect} and one row per category name.
 */
public final class CategoryMap {
    private final Map<String, String> mapped;
    private final Path file;
    private final Vocabulary defectTypes;

    private CategoryMap(Map<String, String> mapped, Path file, Vocabulary defectTypes) {
        this.mapped = mapped;
        this.file = file;
        this.defectTypes = defectTypes;
    }

    /** Returns a map that looks category names up in the defect-type vocabulary directly. */
    public static CategoryMap identity(Vocabulary defectTypes) {
        return new CategoryMap(null, null, defectTypes);
    }

    /**
     * Reads a mapping file; every defect it names must be in the vocabulary. Problems name the
     * file and line, and a file that cannot be read at all raises exit 3.
     */
    public static CategoryMap read(Path file, Vocabulary defectTypes, List<Problem> problems) {
        if (!Files.isRegularFile(file)) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.categories.notFound", file);
        }
        Map<String, String> mapped = new HashMap<>();
        Map<String, Integer> lines = new HashMap<>();
        CsvMapper mapper = new CsvMapper();
        mapper.enable(CsvParser.Feature.WRAP_AS_ARRAY);
        try (Reader reader = DsvCsvLabels.utf8Reader(file);
             MappingIterator<String[]> it = mapper.readerFor(String[].class).with(CsvSchema.emptySchema()).readValues(reader)) {
            String[] header = it.hasNext() ? it.next() : new String[0];
            if (header.length != 2 || !header[0].replace("\uFEFF", "").trim().equalsIgnoreCase("category")
                    || !header[1].trim().equalsIgnoreCase("defect")) {
                throw new DsvException(ExitCode.INVALID_INPUT, "error.categories.header", file);
            }
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
                String category = CanonicalJson.nfc(values[0].trim());
                String defect = defectTypes.lookup(values[1].trim());
                if (defect == null) {
                    problems.add(new Problem("error.vocabulary.unknown", where, defectTypes.kind(), values[1].trim(),
                            String.join(", ", defectTypes.values())));
                    continue;
                }
                Integer earlier = lines.putIfAbsent(category, line);
                if (earlier != null) {
                    problems.add(new Problem("error.categories.duplicate", where, category, earlier));
                    continue;
                }
                mapped.put(category, defect);
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException
                 | com.fasterxml.jackson.databind.RuntimeJsonMappingException e) {
            throw CsvFailure.malformed(file, e);
        } catch (IOException e) {
            throw new DsvException(ExitCode.INVALID_INPUT, e, "error.labels.unreadable", file, String.valueOf(e.getMessage()));
        }
        return new CategoryMap(mapped, file, defectTypes);
    }

    /**
     * Returns the defect type of a category name, or null after adding a problem naming
     * {@code where} (the entry of the annotation file that uses the category).
     */
    public String defectOf(String category, String where, List<Problem> problems) {
        String name = CanonicalJson.nfc(category);
        String defect = mapped != null ? mapped.get(name) : defectTypes.lookup(name);
        if (defect == null) {
            if (mapped != null) {
                problems.add(new Problem("error.categories.unmapped", where, name, file));
            } else {
                problems.add(new Problem("error.categories.unknown", where, name,
                        String.join(", ", defectTypes.values())));
            }
        }
        return defect;
    }
}
