package dev.dsv.ingest;

import java.util.List;
import java.util.SortedMap;

/**
 * The labels and image facts of one image as an importer read them, before validation: raw text
 * values, null where the input had none. {@code where} names the file and row for messages.
 * An add sets one of {@code path} (relative to the added folder) and {@code datasetPath}; a label
 * import sets {@code datasetPath} or {@code sha256} (the blob id).
 */
public record LabelRow(
        String where,
        String path,
        String datasetPath,
        String sha256,
        String cellType,
        List<String> defects,
        String regionsJson,
        String split,
        String confidence,
        String labeler,
        String labeledAt,
        String source,
        String generator,
        SortedMap<String, String> attributes,
        String guideline) {
}
