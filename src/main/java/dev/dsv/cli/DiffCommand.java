package dev.dsv.cli;

import dev.dsv.index.ImageFilter;
import dev.dsv.model.CellDefect;
import dev.dsv.service.Change;
import dev.dsv.service.DiffService;
import dev.dsv.service.Session;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dsv diff REV1 REV2}: what changed between two commits, image by image. */
@Command(name = "diff")
final class DiffCommand extends BaseCommand {
    @Parameters(index = "0", paramLabel = "REV1", descriptionKey = "diff.from")
    String from;

    @Parameters(index = "1", arity = "0..1", paramLabel = "REV2", defaultValue = "HEAD", descriptionKey = "diff.to")
    String to;

    @Option(names = "--cell-type", paramLabel = "TYPE", descriptionKey = "ls.cellType")
    String cellType;

    @Option(names = "--defect", paramLabel = "DEFECT", descriptionKey = "ls.defect")
    String defect;

    @Option(names = "--split", paramLabel = "SPLIT", descriptionKey = "ls.split")
    String split;

    @Option(names = "--summary", descriptionKey = "diff.summary")
    boolean summaryOnly;

    @picocli.CommandLine.Mixin
    VocabularyOption vocabulary = new VocabularyOption();

    @Override
    int run() {
        try (Session session = openSession()) {
            List<Map<String, Object>> changes = new ArrayList<>();
            DiffService.Summary s = new DiffService(session).diff(from, to,
                    new ImageFilter(cellType, defect, split, null, null), vocabulary.current(), e -> {
                        if (summaryOnly) {
                            return;
                        }
                        if (out().json()) {
                            changes.add(view(e));
                        } else {
                            out().line(String.format("%-28s %s", kinds(e.change()), e.change().path()));
                        }
                    });
            if (out().json()) {
                Map<String, Object> doc = Output.document();
                doc.put("from", s.from().hex());
                doc.put("to", s.to().hex());
                doc.put("counts", Views.counts(s.counts()));
                doc.put("by_sub_library", bySubLibrary(s));
                if (!summaryOnly) {
                    doc.put("changes", changes);
                }
                out().printJson(doc);
                return 0;
            }
            out().println("diff.summary.line", s.from().abbreviate(12), s.to().abbreviate(12), Views.countsText(out(), s.counts()));
            s.byPair().forEach((pair, counts) -> out().line("  " + TextColumns.pad(pair.cellType(), 12) + " "
                    + TextColumns.pad(pair.defect(), 20) + " " + Views.countsText(out(), counts)));
        }
        return 0;
    }

    private static String kinds(Change c) {
        List<String> names = new ArrayList<>();
        c.aspects().forEach(k -> names.add(k.name().toLowerCase(Locale.ROOT)));
        return String.join(",", names);
    }

    private static Map<String, Object> view(DiffService.Entry e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("path", e.change().path());
        m.put("kinds", e.change().aspects().stream().map(k -> k.name().toLowerCase(Locale.ROOT)).toList());
        m.put("before", side(e.change().before(), e.labelBefore(), e.change().before() == null ? null : e.change().before().label()));
        m.put("after", side(e.change().after(), e.labelAfter(), e.change().after() == null ? null : e.change().after().label()));
        return m;
    }

    private static Map<String, Object> side(dev.dsv.model.ImageEntry entry, dev.dsv.model.LabelRecord label,
                                            dev.dsv.model.ObjectId labelId) {
        if (entry == null) {
            return null;
        }
        Map<String, Object> m = Views.entry(entry);
        m.put("label", Views.label(labelId, label));
        return m;
    }

    private static List<Map<String, Object>> bySubLibrary(DiffService.Summary s) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Map.Entry<CellDefect, Map<Change.Kind, Integer>> e : s.byPair().entrySet()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("cell_type", e.getKey().cellType());
            m.put("defect", e.getKey().defect());
            m.put("counts", Views.counts(e.getValue()));
            out.add(m);
        }
        return out;
    }
}
