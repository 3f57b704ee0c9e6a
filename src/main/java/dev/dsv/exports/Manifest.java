package dev.dsv.exports;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import dev.dsv.index.ImageRow;
import dev.dsv.model.FeatureVector;
import dev.dsv.model.ObjectId;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Builds manifest text from image rows, deterministically: same rows, same bytes. The CSV
 * {@code regions} column has the format that {@code dsv add} reads, so a manifest row can be
 * added again.
 */
final class Manifest {
    /** Writes vector values as plain decimals, as the {@code vector} objects store them. */
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(com.fasterxml.jackson.core.JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN);

    private Manifest() {
    }

    /**
     * Renders the manifest. {@code features} names the feature sets whose vectors each JSONL row
     * carries (read through {@code vectors}); the CSV manifest has none.
     */
    static String render(ManifestFormat format, List<ImageRow> rows, String commit, List<String> features,
                         Function<ObjectId, FeatureVector> vectors) {
        return format == ManifestFormat.CSV ? csv(rows, commit) : jsonl(rows, commit, features, vectors);
    }

    private static String csv(List<ImageRow> rows, String commit) {
        CsvSchema.Builder schema = CsvSchema.builder();
        ExportLayout.CSV_COLUMNS.forEach(schema::addColumn);
        StringWriter out = new StringWriter();
        CsvMapper mapper = new CsvMapper();
        // Quote only values that need it (commas, quotes, line breaks), as RFC 4180 requires.
        mapper.enable(com.fasterxml.jackson.dataformat.csv.CsvGenerator.Feature.STRICT_CHECK_FOR_QUOTING);
        try (var writer = mapper.writerFor(String[].class).with(schema.build().withHeader()).writeValues(out)) {
            for (ImageRow r : rows) {
                JsonNode defects = JSON.readTree(r.defectsJson());
                List<String> names = new ArrayList<>();
                var regions = JSON.createArrayNode();
                for (JsonNode d : defects) {
                    names.add(d.get("type").asText());
                    for (JsonNode region : d.path("regions")) {
                        ObjectNode flat = JSON.createObjectNode();
                        flat.put("defect", d.get("type").asText());
                        region.properties().forEach(f -> flat.set(f.getKey(), f.getValue()));
                        regions.add(flat);
                    }
                }
                writer.write(new String[] {r.path(), r.blob(), r.cellType(), String.join(";", names),
                    regions.isEmpty() ? "" : JSON.writeValueAsString(regions), nz(r.split()), r.source(),
                    nz(r.generator()), nz(r.confidence()), r.labeler(), r.labeledAt(), commit});
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static String jsonl(List<ImageRow> rows, String commit, List<String> features,
                                Function<ObjectId, FeatureVector> vectors) {
        StringBuilder sb = new StringBuilder();
        try {
            for (ImageRow r : rows) {
                ObjectNode n = JSON.createObjectNode();
                n.put("dataset_path", r.path());
                n.put("sha256", r.blob());
                n.put("cell_type", r.cellType());
                n.set("defects", JSON.readTree(r.defectsJson()));
                n.put("split", r.split());
                n.put("source", r.source());
                n.put("generator", r.generator());
                n.set("confidence", r.confidence() == null ? null : JSON.readTree(r.confidence()));
                n.put("labeler", r.labeler());
                n.put("labeled_at", r.labeledAt());
                n.set("attributes", r.attributesJson() == null ? JSON.createObjectNode() : JSON.readTree(r.attributesJson()));
                n.put("commit", commit);
                if (!features.isEmpty()) {
                    n.set("features", vectorsOf(r, features, vectors));
                }
                sb.append(JSON.writeValueAsString(n)).append('\n');
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return sb.toString();
    }

    /** Returns {NAME: [values] or null} for the requested feature sets of one image. */
    private static ObjectNode vectorsOf(ImageRow row, List<String> features, Function<ObjectId, FeatureVector> vectors) {
        ObjectNode out = JSON.createObjectNode();
        var ids = row.features();
        for (String name : features) {
            ObjectId id = ids.get(name);
            if (id == null) {
                out.putNull(name);
                continue;
            }
            var values = out.putArray(name);
            vectors.apply(id).values().forEach(values::add);
        }
        return out;
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
