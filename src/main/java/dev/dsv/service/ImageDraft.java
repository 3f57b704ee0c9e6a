package dev.dsv.service;

import dev.dsv.ingest.SourceFile;
import dev.dsv.model.Defect;
import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.SortedMap;

/**
 * One image of an add after validation, before its blob id is known. {@code labeledAt} is null
 * when the input gave no time: an unchanged image then keeps its recorded time, a new one gets
 * the time of the add. {@code where} names the input for messages: the labels file and row, or
 * the image file.
 */
record ImageDraft(
        SourceFile file,
        String datasetPath,
        String cellType,
        List<Defect> defects,
        String split,
        BigDecimal confidence,
        String labeler,
        OffsetDateTime labeledAt,
        String source,
        String generator,
        SortedMap<String, String> attributes,
        String where) {
}
