package dev.dsv.cli;

import dev.dsv.service.AddService;
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

    @Override
    int run() {
        List<Path> resolved = new ArrayList<>();
        for (Path p : paths) {
            resolved.add(rootCommand().workingDirectory().resolve(p));
        }
        Path labelsFile = labels == null ? null : rootCommand().workingDirectory().resolve(labels);
        LabelDefaults defaults = new LabelDefaults(cellType, defects, split, source, generator, labeler, labeledAt, confidence);
        try (Session session = openSession()) {
            AddService.Result r = new AddService(session, progress())
                    .add(new AddService.Options(resolved, labelsFile, prefix, replace, defaults));
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
                out().printJson(doc);
            } else {
                out().println("add.done", r.staged(), r.added(), r.replaced(), r.relabeled(), r.factsChanged(), r.unchanged());
                out().println("add.hashed", r.files(), r.hashed(), r.bytesHashed() / 1e6, r.fromStatCache());
                if (r.markedForFullReview() > 0) {
                    out().println("people.markedForFullReview", r.markedForFullReview());
                }
            }
        }
        return 0;
    }
}
