package dev.dsv.cli;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.exports.ExportService;
import dev.dsv.exports.ExportShape;
import dev.dsv.exports.ExportVerifier;
import dev.dsv.exports.LinkMode;
import dev.dsv.exports.ManifestFormat;
import dev.dsv.service.Session;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dsv export REV --out DIR} and {@code dsv export --verify DIR}. */
@Command(name = "export")
final class ExportCommand extends BaseCommand {
    @Parameters(index = "0", arity = "0..1", paramLabel = "REV", defaultValue = "HEAD", descriptionKey = "export.rev")
    String revision;

    @Option(names = "--out", paramLabel = "DIR", descriptionKey = "export.out")
    Path out;

    @Option(names = "--verify", paramLabel = "DIR", descriptionKey = "export.verify")
    Path verify;

    @picocli.CommandLine.Mixin
    FilterOptions filters = new FilterOptions();

    @Option(names = "--manifest", paramLabel = "FORMAT", descriptionKey = "export.manifest")
    ManifestFormat manifest;

    /** The values of {@code --format}: a folder with a manifest (dir, csv, jsonl) or an annotation format. */
    enum Format { DIR, CSV, JSONL, COCO, YOLO, VOC, CVAT, LABELSTUDIO, SUPERVISELY }

    /** The values of {@code --layout}: image locations inside the export folder. */
    enum Layout { PATHS, CLASSES, YOLO, SUPERVISELY }

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "DIR", descriptionKey = "export.format")
    Format format;

    @Option(names = "--layout", paramLabel = "LAYOUT", descriptionKey = "export.layout")
    Layout layout;

    @Option(names = "--link", paramLabel = "MODE", defaultValue = "COPY", descriptionKey = "export.link")
    LinkMode link;

    @Option(names = "--sync", descriptionKey = "export.sync")
    boolean sync;

    @picocli.CommandLine.Mixin
    VocabularyOption vocabulary = new VocabularyOption();
    @Option(names = "--no-policy", paramLabel = "REASON", descriptionKey = "export.noPolicy")
    String noPolicy;
    @Option(names = "--include-rejected", descriptionKey = "export.includeRejected")
    boolean includeRejected;
    @Option(names = "--features", paramLabel = "NAME", descriptionKey = "export.features")
    java.util.List<String> features = new java.util.ArrayList<>();

    @Override
    int run() {
        if ((out == null) == (verify == null)) {
            throw new DsvException(ExitCode.USAGE, "error.export.outOrVerify");
        }
        try (Session session = openSession()) {
            if (verify != null) {
                return verify(session, rootCommand().workingDirectory().resolve(verify));
            }
            ExportService.Result r = new ExportService(session, progress()).export(new ExportService.Request(revision,
                    filters.toFilter(), rootCommand().workingDirectory().resolve(out),
                    manifestFormat(), link, sync, vocabulary.current(), noPolicyReason(), includeRejected, features,
                    shape()));
            if (out().json()) {
                Map<String, Object> doc = Output.document();
                doc.put("commit", r.commit().hex());
                doc.put("out", r.target().toString());
                doc.put("images", r.images());
                doc.put("written", r.written());
                doc.put("kept", r.kept());
                doc.put("deleted", r.deleted());
                doc.put("bytes_written", r.bytes());
                doc.put("link", r.link().name().toLowerCase(Locale.ROOT));
                doc.put("include_rejected", r.includeRejected());
                doc.put("rejected_excluded", r.rejectedExcluded());
                doc.put("regionless_defects_dropped", r.regionlessDropped().size());
                out().printJson(doc);
            } else {
                out().println("export.done", r.images(), r.target(), r.commit().abbreviate(12), r.written(), r.kept(), r.deleted());
                if (r.rejectedExcluded() > 0) {
                    out().println("export.rejectedExcluded", r.rejectedExcluded());
                }
                if (r.includeRejected() && r.rejected() > 0) {
                    out().note("export.rejectedIncluded", r.rejected());
                }
                if (r.link() == LinkMode.HARDLINK) {
                    out().note("export.hardlinkWarning");
                }
            }
            if (!r.regionlessDropped().isEmpty()) {
                // Printed on stderr in both modes, so a script that reads the --json output still gets the warning.
                out().note("export.regionlessDropped", r.regionlessDropped().size(),
                        format.name().toLowerCase(Locale.ROOT), r.regionlessDropped().get(0));
            }
        }
        return 0;
    }

    /** Returns the manifest that {@code --format csv|jsonl} or {@code --manifest} names; CSV by default. */
    private ManifestFormat manifestFormat() {
        ManifestFormat implied = switch (format) {
            case CSV -> ManifestFormat.CSV;
            case JSONL -> ManifestFormat.JSONL;
            default -> null;
        };
        if (implied != null && manifest != null && manifest != implied) {
            throw new DsvException(ExitCode.USAGE, "error.export.formatManifest", format.name().toLowerCase(Locale.ROOT),
                    manifest.name().toLowerCase(Locale.ROOT));
        }
        if (implied != null) {
            return implied;
        }
        return manifest == null ? ManifestFormat.CSV : manifest;
    }

    /** Returns the shape that {@code --format} and {@code --layout} name together. */
    private ExportShape shape() {
        ExportShape shape = switch (format) {
            case DIR, CSV, JSONL -> layout == Layout.CLASSES ? ExportShape.CLASSES
                    : layout == null || layout == Layout.PATHS ? ExportShape.DIR : null;
            case COCO -> layout == null || layout == Layout.PATHS ? ExportShape.COCO : null;
            case YOLO -> layout == null || layout == Layout.YOLO ? ExportShape.YOLO : null;
            case VOC -> layout == null || layout == Layout.PATHS ? ExportShape.VOC : null;
            case CVAT -> layout == null || layout == Layout.PATHS ? ExportShape.CVAT : null;
            case LABELSTUDIO -> layout == null || layout == Layout.PATHS ? ExportShape.LABELSTUDIO : null;
            case SUPERVISELY -> layout == null || layout == Layout.SUPERVISELY ? ExportShape.SUPERVISELY : null;
        };
        if (shape == null) {
            throw new DsvException(ExitCode.USAGE, "error.export.formatLayout", format.name().toLowerCase(Locale.ROOT),
                    layout.name().toLowerCase(Locale.ROOT));
        }
        return shape;
    }

    private String noPolicyReason() {
        if (noPolicy == null) {
            return null;
        }
        if (noPolicy.isBlank()) {
            throw new DsvException(ExitCode.USAGE, "error.export.noPolicyReason");
        }
        return noPolicy.strip();
    }

    private int verify(Session session, Path dir) {
        ExportVerifier.Report r = new ExportVerifier(session).verify(dir);
        if (out().json()) {
            Map<String, Object> doc = Output.document();
            doc.put("ok", r.ok());
            doc.put("dir", r.dir().toString());
            doc.put("commit", r.commit());
            doc.put("images", r.images());
            doc.put("missing", r.missing());
            doc.put("modified", r.modified());
            doc.put("extra", r.extra());
            doc.put("manifest_differs", r.manifestDiffers());
            doc.put("incomplete", r.incomplete());
            out().printJson(doc);
        } else {
            r.missing().forEach(p -> out().println("export.verify.missing", p));
            r.modified().forEach(p -> out().println("export.verify.modified", p));
            r.extra().forEach(p -> out().println("export.verify.extra", p));
            if (r.manifestDiffers()) {
                out().println("export.verify.manifest");
            }
            if (r.incomplete()) {
                out().println("export.verify.incomplete");
            }
            out().println(r.ok() ? "export.verify.ok" : "export.verify.failed", r.dir(), r.commit().substring(0, 12), r.images());
        }
        return r.ok() ? 0 : ExitCode.CHECK_FAILED.code();
    }
}
