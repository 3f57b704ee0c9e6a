package dev.dsv.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.dsv.index.ImageFilter;
import dev.dsv.index.ImageRow;
import dev.dsv.model.ObjectId;
import dev.dsv.service.LsService;
import dev.dsv.service.Session;
import dev.dsv.service.VocabularyMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dsv ls [REV]}: the images of a commit, filtered; streams, so any size fits. */
@Command(name = "ls")
final class LsCommand extends BaseCommand {
    @Parameters(index = "0", arity = "0..1", paramLabel = "REV", defaultValue = "HEAD", descriptionKey = "ls.rev")
    String revision;

    @picocli.CommandLine.Mixin
    FilterOptions filters = new FilterOptions();

    @Option(names = "--summary", descriptionKey = "ls.summary")
    boolean summary;

    @picocli.CommandLine.Mixin
    VocabularyOption vocabulary = new VocabularyOption();

    @Override
    int run() {
        try (Session session = openSession()) {
            LsService service = new LsService(session);
            ImageFilter filter = service.normalize(filters.toFilter());
            ObjectId commit = session.resolve(revision);
            ObjectId tree = service.treeAt(commit.hex());
            VocabularyMapper mapper = vocabulary.mapper(session, commit);
            if (summary) {
                printSummary(commit, filter, service.summary(tree, filter, mapper));
            } else if (out().json()) {
                streamJson(service, commit, tree, filter, mapper);
            } else {
                service.list(tree, filter, mapper, row -> out().line(String.join("\t", row.path(), row.cellType(),
                        defectList(row), row.split() == null ? "-" : row.split(), row.source(), row.blob())));
            }
        }
        return 0;
    }

    private void printSummary(ObjectId commit, ImageFilter filter, Map<List<String>, Long> counts) {
        if (out().json()) {
            Map<String, Object> doc = Output.document();
            doc.put("commit", commit.hex());
            doc.put("filter", filterView(filter));
            doc.put("sub_libraries", counts.entrySet().stream().map(e -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("cell_type", e.getKey().get(0));
                m.put("defect", e.getKey().get(1));
                m.put("images", e.getValue());
                return m;
            }).toList());
            out().printJson(doc);
            return;
        }
        counts.forEach((k, n) -> out().line(TextColumns.pad(k.get(0), 12) + " " + TextColumns.pad(k.get(1), 20)
                + String.format(" %8d", n)));
    }

    private void streamJson(LsService service, ObjectId commit, ObjectId tree, ImageFilter filter,
                            VocabularyMapper mapper) {
        try (JsonGenerator g = out().jsonGenerator()) {
            g.writeStartObject();
            g.writeNumberField("schema_version", Output.SCHEMA_VERSION);
            g.writeStringField("commit", commit.hex());
            g.writeObjectField("filter", filterView(filter));
            g.writeArrayFieldStart("images");
            long[] count = {0};
            service.list(tree, filter, mapper, row -> {
                try {
                    writeRow(g, row);
                    count[0]++;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            g.writeEndArray();
            g.writeNumberField("count", count[0]);
            g.writeEndObject();
            g.flush();
            out().out().println();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void writeRow(JsonGenerator g, ImageRow row) throws IOException {
        g.writeStartObject();
        g.writeStringField("path", row.path());
        g.writeStringField("sha256", row.blob());
        g.writeStringField("cell_type", row.cellType());
        g.writeFieldName("defects");
        g.writeRawValue(row.defectsJson());
        g.writeStringField("split", row.split());
        g.writeStringField("source", row.source());
        if (row.generator() != null) {
            g.writeStringField("generator", row.generator());
        }
        g.writeFieldName("confidence");
        if (row.confidence() == null) {
            g.writeNull();
        } else {
            g.writeNumber(row.confidence());
        }
        g.writeStringField("labeler", row.labeler());
        g.writeStringField("labeled_at", row.labeledAt());
        g.writeStringField("label", row.label());
        if (row.guideline() != null) {
            g.writeStringField("guideline", row.guideline());
        }
        g.writeFieldName("attributes");
        g.writeRawValue(row.attributesJson() == null ? "{}" : row.attributesJson());
        if (row.featuresJson() != null) {
            g.writeFieldName("features");
            g.writeRawValue(row.featuresJson());
        }
        g.writeEndObject();
    }

    private static Map<String, Object> filterView(ImageFilter f) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cell_type", f.cellType());
        m.put("defect", f.defect());
        m.put("split", f.split());
        m.put("source", f.source());
        m.put("path", f.pathPrefix());
        return m;
    }

    private static String defectList(ImageRow row) {
        try {
            var node = Output.JSON.readTree(row.defectsJson());
            StringBuilder sb = new StringBuilder();
            for (var d : node) {
                if (sb.length() > 0) {
                    sb.append(';');
                }
                sb.append(d.get("type").asText());
            }
            return sb.length() == 0 ? "none" : sb.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
