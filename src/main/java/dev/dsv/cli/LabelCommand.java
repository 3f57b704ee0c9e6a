package dev.dsv.cli;

import dev.dsv.service.Identity;
import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.service.LabelDefaults;
import dev.dsv.service.LabelService;
import dev.dsv.service.Session;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dsv label import|set}: relabel images that are already in the library. */
@Command(name = "label", subcommands = {LabelCommand.Import.class, LabelCommand.Set.class})
final class LabelCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                new Output(null, null, false).text("error.usage.noSubcommand", "label", "import, set"));
    }

    /** Shared parent access for the two subcommands. */
    abstract static class Sub extends BaseCommand {
        @Option(names = "--labeler", paramLabel = "ID", descriptionKey = "add.labeler")
        String labeler;

        @Option(names = "--labeled-at", paramLabel = "TIME", descriptionKey = "add.labeledAt")
        String labeledAt;

        @Option(names = "--confidence", paramLabel = "P", descriptionKey = "add.confidence")
        String confidence;

        @Option(names = "--guideline", paramLabel = "VERSION", descriptionKey = "add.guideline")
        String guideline;

        /** Returns the labeler: {@code --labeler}, else DSV_USER, else user.id of the configuration, else null. */
        String labeler(Session session) {
            return Identity.person(labeler, session.repository().config());
        }

        int report(int relabeled, int markedForFullReview) {
            if (out().json()) {
                Map<String, Object> doc = Output.document();
                doc.put("relabeled", relabeled);
                doc.put("marked_for_full_review", markedForFullReview);
                out().printJson(doc);
            } else {
                out().println("label.done", relabeled);
                if (markedForFullReview > 0) {
                    out().println("people.markedForFullReview", markedForFullReview);
                }
            }
            return 0;
        }
    }

    @Command(name = "import")
    static final class Import extends Sub {
        /** The input formats of {@code dsv label import}. */
        enum Format { CSV, COCO, YOLO, VOC, CVAT, LABELSTUDIO, SUPERVISELY }

        @Parameters(index = "0", paramLabel = "FILE", descriptionKey = "label.file")
        Path file;

        @picocli.CommandLine.Mixin
        LabelsLayoutOptions layout;

        @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "CSV", descriptionKey = "label.format")
        Format format;

        @Option(names = "--categories", paramLabel = "MAP", descriptionKey = "label.categories")
        Path categories;

        @Option(names = "--names", paramLabel = "FILE", descriptionKey = "label.names")
        Path names;

        @Option(names = "--labeled-at-from-file", descriptionKey = "label.labeledAtFromFile")
        boolean labeledAtFromFile;

        /** The values of {@code --voc-coordinates}. */
        enum VocCoordinates { DEVKIT, CONTINUOUS }

        @Option(names = "--voc-coordinates", paramLabel = "CONVENTION", descriptionKey = "label.vocCoordinates")
        VocCoordinates vocCoordinates;

        @Option(names = "--replace-unannotated", descriptionKey = "label.replaceUnannotated")
        boolean replaceUnannotated;

        @Override
        int run() {
            checkOptions();
            Path workingDirectory = rootCommand().workingDirectory();
            Path input = workingDirectory.resolve(file);
            Path map = categories == null ? null : workingDirectory.resolve(categories);
            dev.dsv.ingest.CsvLayout csvLayout = layout.toLayout(workingDirectory);
            try (Session session = openSession()) {
                LabelService service = new LabelService(session, replaceUnannotated);
                LabelDefaults defaults = new LabelDefaults(null, null, null, null, null, labeler(session), labeledAt,
                        confidence, guideline);
                int relabeled = switch (format) {
                    case CSV -> service.importFile(input, defaults, csvLayout);
                    case COCO -> service.importCoco(input, map, defaults, labeledAtFromFile);
                    case YOLO -> service.importYolo(input, workingDirectory.resolve(names), map, defaults,
                            labeledAtFromFile);
                    case VOC -> service.importVoc(input, map, defaults, labeledAtFromFile,
                            vocCoordinates == VocCoordinates.CONTINUOUS ? dev.dsv.ingest.VocLabels.Coordinates.CONTINUOUS
                                    : dev.dsv.ingest.VocLabels.Coordinates.DEVKIT);
                    case CVAT -> service.importCvat(input, map, defaults, labeledAtFromFile);
                    case LABELSTUDIO -> service.importLabelStudio(input, map, defaults, labeledAtFromFile);
                    case SUPERVISELY -> service.importSupervisely(input, map, defaults, labeledAtFromFile);
                };
                return report(relabeled, service.markedForFullReview());
            }
        }

        /** Rejects options that the chosen format does not take (exit 2). */
        private void checkOptions() {
            String name = format.name().toLowerCase(java.util.Locale.ROOT);
            if (format == Format.YOLO && names == null) {
                throw new DsvException(ExitCode.USAGE, "error.label.namesRequired");
            }
            if (format != Format.YOLO && names != null) {
                throw new DsvException(ExitCode.USAGE, "error.label.optionNotForFormat", "--names", name);
            }
            if (format != Format.VOC && vocCoordinates != null) {
                throw new DsvException(ExitCode.USAGE, "error.label.optionNotForFormat", "--voc-coordinates", name);
            }
            if (format == Format.CSV && categories != null) {
                throw new DsvException(ExitCode.USAGE, "error.label.optionNotForFormat", "--categories", name);
            }
            if (format == Format.CSV && labeledAtFromFile) {
                throw new DsvException(ExitCode.USAGE, "error.label.optionNotForFormat", "--labeled-at-from-file", name);
            }
            if (format == Format.CSV && replaceUnannotated) {
                throw new DsvException(ExitCode.USAGE, "error.label.optionNotForFormat", "--replace-unannotated", name);
            }
            if (labeledAtFromFile && labeledAt != null) {
                throw new DsvException(ExitCode.USAGE, "error.label.twoTimes");
            }
        }
    }

    @Command(name = "set")
    static final class Set extends Sub {
        @Parameters(arity = "1..*", paramLabel = "PATH", descriptionKey = "label.paths")
        List<String> paths;

        @Option(names = "--defect", paramLabel = "DEFECT", split = ";", required = true, descriptionKey = "add.defect")
        List<String> defects;

        @Override
        int run() {
            try (Session session = openSession()) {
                LabelService service = new LabelService(session);
                int relabeled = service.set(paths,
                        new LabelDefaults(null, defects, null, null, null, labeler(session), labeledAt, confidence, guideline));
                return report(relabeled, service.markedForFullReview());
            }
        }
    }
}
