package dev.dsv.quality;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.csv.CsvGenerator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import dev.dsv.index.ImageRow;
import dev.dsv.model.CanonicalJson;
import dev.dsv.model.Defect;
import dev.dsv.model.ImageEntry;
import dev.dsv.model.LabelRecord;
import dev.dsv.model.Times;
import dev.dsv.service.Session;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The review sheet of a sample: one row per sampled label record with what a verifier needs
 * (where the image is, the judgement of the labeler) and empty {@code decision}, {@code defects} and
 * {@code note} columns, so a filled-in sheet can go straight to {@code dsv review record}.
 */
public final class ReviewSheet {
    /** The sheet's CSV columns, in order; JSONL rows use the same keys. */
    public static final List<String> COLUMNS = List.of("label", "path", "commit", "day", "stratum", "cell_type",
            "current_defects", "labeler", "labeled_at", "sha256", "image", "decision", "defects", "note");

    /** One sheet row; {@code image} is the exported file's path, or null without an export. */
    public record Row(ReviewLog.Item item, ImageEntry entry, LabelRecord label, String image) {
        /** Returns the row as an export row, for writing the image with the export code. */
        public ImageRow toImageRow(String exportPath) {
            String defects = new String(CanonicalJson.encode(label.defects().stream().map(Defect::toCanonical).toList()),
                    StandardCharsets.UTF_8);
            String attributes = entry.attributes().isEmpty() ? null
                    : new String(CanonicalJson.encode(entry.attributes()), StandardCharsets.UTF_8);
            return new ImageRow(exportPath, label.image().hex(), item.label().hex(), entry.cellType(), entry.split(),
                    entry.source(), entry.generator(), attributes, label.labeler(),
                    label.labeledAt() == null ? null : Times.format(label.labeledAt()),
                    label.confidence() == null ? null : CanonicalJson.plain(label.confidence()), defects,
                    label.guideline(), ImageRow.encodeFeatures(entry.features()));
        }
    }

    private ReviewSheet() {
    }

    /**
     * Returns the rows of a sample. The image entry is the one in force at the item's commit,
     * where the sampled record came into force. With an export folder, each row names the file
     * the export writes: the dataset path, or {@code LABEL/PATH} (the first 12 hex digits of the
     * label id) when an earlier row of the sheet already took that path.
     */
    public static List<Row> rows(Session session, ReviewLog.Sample sample, java.nio.file.Path exportDir) {
        List<Row> rows = new ArrayList<>();
        Set<String> taken = new HashSet<>();
        for (ReviewLog.Item item : sample.items()) {
            LabelRecord label = session.readLabel(item.label());
            ImageEntry entry = session.trees().lookup(session.treeOf(item.commit()), item.path());
            String image = null;
            if (exportDir != null) {
                String relative = taken.add(item.path()) ? item.path() : item.label().abbreviate(12) + "/" + item.path();
                image = exportDir.resolve(relative).toString();
            }
            rows.add(new Row(item, entry, label, image));
        }
        return rows;
    }

    /** Returns the path of a row's image relative to the export folder. */
    public static String exportPath(java.nio.file.Path exportDir, Row row) {
        return exportDir.relativize(java.nio.file.Path.of(row.image())).toString().replace('\\', '/');
    }

    private static String[] values(Row r) {
        ReviewLog.Item i = r.item();
        return new String[] {i.label().hex(), i.path(), i.commit().hex(), i.day(), nz(i.stratum()),
            r.entry().cellType(), r.label().defects().isEmpty() ? "" : String.join(";", r.label().defectTypes()),
            r.label().labeler(), r.label().labeledAt() == null ? "" : Times.format(r.label().labeledAt()),
            r.label().image().hex(), nz(r.image()), "", "", ""};
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    /** Writes the sheet as CSV with a header row. */
    public static void writeCsv(List<Row> rows, Writer out) throws IOException {
        CsvSchema.Builder schema = CsvSchema.builder();
        COLUMNS.forEach(schema::addColumn);
        CsvMapper mapper = new CsvMapper();
        mapper.enable(CsvGenerator.Feature.STRICT_CHECK_FOR_QUOTING);
        // The caller owns the writer (it may be stdout), so closing the CSV writer must not close it.
        mapper.disable(com.fasterxml.jackson.core.JsonGenerator.Feature.AUTO_CLOSE_TARGET);
        try (var writer = mapper.writerFor(String[].class).with(schema.build().withHeader()).writeValues(out)) {
            for (Row r : rows) {
                writer.write(values(r));
            }
        }
    }

    /** Writes the sheet as JSON lines, one object per row; {@code current_defects} is a list. */
    public static void writeJsonl(List<Row> rows, Writer out) throws IOException {
        ObjectMapper json = new ObjectMapper();
        for (Row r : rows) {
            ObjectNode n = json.createObjectNode();
            String[] v = values(r);
            for (int c = 0; c < COLUMNS.size(); c++) {
                String key = COLUMNS.get(c);
                if (key.equals("current_defects")) {
                    n.set(key, json.valueToTree(r.label().defectTypes()));
                } else if (v[c].isEmpty()) {
                    n.putNull(key);
                } else {
                    n.put(key, v[c]);
                }
            }
            out.write(json.writeValueAsString(n));
            out.write('\n');
        }
        out.flush();
    }
}
