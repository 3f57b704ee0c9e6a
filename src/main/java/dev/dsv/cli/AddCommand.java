package dev.dsv.cli;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.ingest.CsvLayout;
import dev.dsv.service.AddService;
import dev.dsv.service.Identity;
import dev.dsv.service.LabelDefaults;
import dev.dsv.service.Session;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dsv add PATH...}: ingests images and stages them with their labels. */
@Command(name = "add")
final class AddCommand extends BaseCommand {
    @Parameters(arity = "1..*", paramLabel = "PATH", descriptionKey = "add.paths")
    List<Path> paths;

    @Option(names = "--labels", paramLabel = "FILE", descriptionKey = "add.labels")
    Path labels;

    @Option(names = "--prefix", paramLabel = "DATASET_PATH", descriptionKey = "add.prefix")
    String prefix;

    @Option(names = "--replace", descriptionKey = "add.replace")
    boolean replace;

    @Option(names = "--cell-type", paramLabel = "TYPE", descriptionKey = "add.cellType")
    String cellType;

    @Option(names = "--defect", paramLabel = "DEFECT", split = ";", descriptionKey = "add.defect")
    List<String> defects;

    @Option(names = "--split", paramLabel = "SPLIT", descriptionKey = "add.split")
    String split;

    @Option(names = "--source", paramLabel = "SOURCE", descriptionKey = "add.source")
    String source;

    @Option(names = "--generator", paramLabel = "NAME", descriptionKey = "add.generator")
    String generator;

    @Option(names = "--labeler", paramLabel = "ID", descriptionKey = "add.labeler")
    String labeler;

    @Option(names = "--labeled-at", paramLabel = "TIME", descriptionKey = "add.labeledAt")
    String labeledAt;

    @Option(names = "--confidence", paramLabel = "P", descriptionKey = "add.confidence")
    String confidence;

    @Option(names = "--guideline", paramLabel = "VERSION", descriptionKey = "add.guideline")
    String guideline;
    @picocli.CommandLine.Mixin
    LabelsLayoutOptions layout;

    @Option(names = "--allow-implausible", paramLabel = "REASON", descriptionKey = "add.allowImplausible")
    String allowImplausible;

    @Override
    int run() {
        List<Path> resolved = new ArrayList<>();
        for (Path p : paths) {
            resolved.add(rootCommand().workingDirectory().resolve(p));
        }
        Path labelsFile = labels == null ? null : rootCommand().workingDirectory().resolve(labels);
        if (labelsFile == null && layout.given()) {
            throw new DsvException(ExitCode.USAGE, "error.layout.needsLabels");
        }
        CsvLayout labelsLayout = layout.toLayout(rootCommand().workingDirectory());
        try (Session session = openSession()) {
            String person = Identity.person(labeler, session.repository().config());
            LabelDefaults defaults = new LabelDefaults(cellType, defects, split, source, generator, person, labeledAt,
                    confidence, guideline);
            AddService.Result r = new AddService(session, progress())
                    .add(new AddService.Options(resolved, labelsFile, prefix, replace, defaults, blankToNull(allowImplausible),
                            labelsLayout));
            if (out().json()) {
                Map<String, Object> doc = Output.document();
                doc.put("files", r.files());
                doc.put("hashed", r.hashed());
                doc.put("from_stat_cache", r.fromStatCache());
                doc.put("bytes_hashed", r.bytesHashed());
                doc.put("staged", r.staged());
                doc.put("added", r.added());
                doc.put("replaced", r.replaced());
                doc.put("relabeled", r.relabeled());
                doc.put("facts_changed", r.factsChanged());
                doc.put("unchanged", r.unchanged());
                doc.put("stage_tree", r.stageTree().hex());
                doc.put("marked_for_full_review", r.markedForFullReview());
                doc.put("discarded", implausibleViews(r.discarded()));
                doc.put("overridden", implausibleViews(r.overridden()));
                doc.put("override_record", r.overrideRecord() == null ? null : r.overrideRecord().hex());
                out().printJson(doc);
            } else {
                out().println("add.done", r.staged(), r.added(), r.replaced(), r.relabeled(), r.factsChanged(), r.unchanged());
                out().println("add.hashed", r.files(), r.hashed(), r.bytesHashed() / 1e6, r.fromStatCache());
                if (r.markedForFullReview() > 0) {
                    out().println("people.markedForFullReview", r.markedForFullReview());
                }
                for (AddService.Implausible i : r.discarded()) {
                    out().println("add.discarded", i.file(), i.cellType(), CheckCommand.describe(i.failures()));
                }
                if (!r.discarded().isEmpty()) {
                    out().println("add.discardedSummary", r.discarded().size());
                }
                for (AddService.Implausible i : r.overridden()) {
                    out().println("add.overridden", i.datasetPath(), i.failures().isEmpty()
                            ? out().text("add.noProfile", i.cellType()) : CheckCommand.describe(i.failures()));
                }
                if (r.overrideRecord() != null) {
                    out().println("add.overrideRecord", r.overrideRecord().abbreviate(12));
                }
            }
        }
        return 0;
    }

    private static String blankToNull(String reason) {
        return reason == null || reason.isBlank() ? null : reason.strip();
    }

    private static List<Map<String, Object>> implausibleViews(List<AddService.Implausible> images) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (AddService.Implausible i : images) {
            Map<String, Object> m = new java.util.LinkedHashMap<>();
            m.put("file", i.file().toString());
            m.put("path", i.datasetPath());
            m.put("cell_type", i.cellType());
            m.put("no_profile", i.failures().isEmpty());
            List<Map<String, Object>> failures = new ArrayList<>();
            for (var f : i.failures()) {
                Map<String, Object> fm = new java.util.LinkedHashMap<>();
                fm.put("measure", f.measure());
                fm.put("value", f.value());
                fm.put("low", f.low());
                fm.put("high", f.high());
                failures.add(fm);
            }
            m.put("failures", failures);
            out.add(m);
        }
        return out;
    }
}
