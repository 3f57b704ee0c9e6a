package dev.dsv.cli;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.exports.ExportService;
import dev.dsv.exports.LinkMode;
import dev.dsv.exports.ManifestFormat;
import dev.dsv.index.ImageRow;
import dev.dsv.model.ObjectId;
import dev.dsv.quality.ReviewLog;
import dev.dsv.quality.ReviewRecorder;
import dev.dsv.quality.ReviewSampler;
import dev.dsv.quality.ReviewSheet;
import dev.dsv.quality.ReviewStatus;
import dev.dsv.quality.ReviewStatusReport;
import dev.dsv.service.Identity;
import dev.dsv.service.Session;
import dev.dsv.store.StoreIOException;
import java.io.IOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dsv review sample|record|status}: sampled verification of new label records. */
@Command(name = "review", subcommands = {ReviewCommand.Sample.class, ReviewCommand.Record.class,
    ReviewCommand.Status.class})
final class ReviewCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                new Output(null, null, false).text("error.usage.noSubcommand", "review", "sample, record, status"));
    }

    /** The sheet formats. */
    enum SheetFormat { CSV, JSONL }

    @Command(name = "sample")
    static final class Sample extends BaseCommand {
        @Parameters(index = "0", arity = "0..1", paramLabel = "REV", defaultValue = "HEAD", descriptionKey = "review.rev")
        String revision;

        @Option(names = "--rate", paramLabel = "R", descriptionKey = "review.rate")
        BigDecimal rate;

        @Option(names = "--by", paramLabel = "day|commit", defaultValue = "day", descriptionKey = "review.by")
        String by;

        @Option(names = "--stratify", paramLabel = "KEYS", split = ",", descriptionKey = "review.stratify")
        List<String> stratify = new ArrayList<>();

        @Option(names = "--seed", paramLabel = "S", descriptionKey = "review.seed")
        String seed;

        @Option(names = "--out", paramLabel = "FILE", descriptionKey = "review.out")
        Path out;

        @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "CSV", descriptionKey = "review.format")
        SheetFormat format;

        @Option(names = "--export", paramLabel = "DIR", descriptionKey = "review.export")
        Path export;

        @Override
        int run() {
            Path dir = rootCommand().workingDirectory();
            try (Session session = openSession()) {
                ReviewSampler.Result r = new ReviewSampler(session, progress()).sample(new ReviewSampler.Request(
                        revision, rate, by.toLowerCase(Locale.ROOT), stratify, seed));
                Path exportDir = export == null ? null : dir.resolve(export).toAbsolutePath().normalize();
                List<ReviewSheet.Row> rows = ReviewSheet.rows(session, r.sample(), exportDir);
                if (exportDir != null && !rows.isEmpty()) {
                    List<ImageRow> images = rows.stream()
                            .map(row -> row.toImageRow(ReviewSheet.exportPath(exportDir, row))).toList();
                    new ExportService(session, progress()).exportRows(r.sample().subject(), images, exportDir,
                            ManifestFormat.CSV, LinkMode.COPY);
                }
                Path sheet = out == null ? null : dir.resolve(out);
                if (sheet != null) {
                    writeSheet(rows, sheet);
                }
                if (out().json()) {
                    printJson(r, rows, sheet, exportDir);
                    return 0;
                }
                if (sheet == null) {
                    Writer w = out().out();
                    try {
                        write(rows, w);
                    } catch (IOException e) {
                        throw new DsvException(ExitCode.IO_ERROR, e, "error.stdout");
                    }
                }
                summary(r, rows.size());
            }
            return 0;
        }

        private void summary(ReviewSampler.Result r, int items) {
            ReviewLog.Sample s = r.sample();
            if (items == 0) {
                out().note("review.sample.empty", s.subject().abbreviate(12), s.commits().size());
            } else if (r.reused()) {
                out().note("review.sample.reused", s.id().abbreviate(12), items, s.subject().abbreviate(12));
            } else {
                out().note("review.sample.recorded", s.id().abbreviate(12), items, r.population(), s.groups().size(),
                        s.commits().size(), s.subject().abbreviate(12));
            }
        }

        private void write(List<ReviewSheet.Row> rows, Writer w) throws IOException {
            if (format == SheetFormat.JSONL) {
                ReviewSheet.writeJsonl(rows, w);
            } else {
                ReviewSheet.writeCsv(rows, w);
            }
            w.flush();
        }

        private void writeSheet(List<ReviewSheet.Row> rows, Path file) {
            try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                write(rows, w);
            } catch (IOException e) {
                throw StoreIOException.of(file, e);
            }
        }

        private void printJson(ReviewSampler.Result r, List<ReviewSheet.Row> rows, Path sheet, Path exportDir) {
            ReviewLog.Sample s = r.sample();
            Map<String, Object> doc = Output.document();
            doc.put("sample", s.id() == null ? null : s.id().hex());
            doc.put("recorded", s.id() != null && !r.reused());
            doc.put("reused", r.reused());
            doc.put("commit", s.subject().hex());
            doc.put("rate", s.rate());
            doc.put("by", s.by());
            doc.put("stratify", s.stratify());
            doc.put("seed", s.seed());
            doc.put("population", r.population());
            doc.put("commits_covered", s.commits().size());
            doc.put("groups", s.groups().stream().map(g -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("key", g.key().key());
                m.put("stratum", g.key().stratum());
                m.put("population", g.population());
                m.put("drawn", g.drawn());
                return m;
            }).toList());
            doc.put("sheet", sheet == null ? null : sheet.toString());
            doc.put("export", exportDir == null ? null : exportDir.toString());
            doc.put("items", rows.stream().map(Sample::itemView).toList());
            out().printJson(doc);
        }

        private static Map<String, Object> itemView(ReviewSheet.Row row) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("label", row.item().label().hex());
            m.put("path", row.item().path());
            m.put("commit", row.item().commit().hex());
            m.put("day", row.item().day());
            m.put("stratum", row.item().stratum());
            m.put("cell_type", row.entry().cellType());
            m.put("current_defects", row.label().defectTypes());
            m.put("labeler", row.label().labeler());
            m.put("labeled_at", row.label().labeledAt() == null ? null
                    : dev.dsv.model.Times.format(row.label().labeledAt()));
            m.put("sha256", row.label().image().hex());
            m.put("image", row.image());
            return m;
        }
    }

    @Command(name = "record")
    static final class Record extends BaseCommand {
        @Parameters(index = "0", arity = "0..1", paramLabel = "FILE", descriptionKey = "review.file")
        Path file;

        @Option(names = "--verifier", paramLabel = "ID", descriptionKey = "review.verifier")
        String verifier;

        @Option(names = "--label", paramLabel = "ID", descriptionKey = "review.label")
        String label;

        @Option(names = "--path", paramLabel = "PATH", descriptionKey = "review.path")
        String path;

        @ArgGroup(exclusive = true)
        Decision decision;

        @Option(names = "--note", paramLabel = "TEXT", descriptionKey = "review.note")
        String note;

        static final class Decision {
            @Option(names = "--pass", descriptionKey = "review.pass")
            boolean pass;

            @Option(names = "--reject", descriptionKey = "review.reject")
            boolean reject;

            @Option(names = "--relabel", paramLabel = "D[,D]", split = ",", descriptionKey = "review.relabel")
            List<String> relabel;
        }

        @Override
        int run() {
            boolean one = label != null || path != null || decision != null || note != null;
            if (file != null && one) {
                throw new DsvException(ExitCode.USAGE, "error.review.fileOrOne");
            }
            if (file == null && (decision == null || (label == null) == (path == null))) {
                throw new DsvException(ExitCode.USAGE, "error.review.oneForm");
            }
            try (Session session = openSession()) {
                String verifier = Identity.person(this.verifier, session.repository().config());
                if (verifier == null) {
                    throw new DsvException(ExitCode.USAGE, "error.identity.missing", "--verifier");
                }
                ReviewRecorder recorder = new ReviewRecorder(session);
                ReviewRecorder.Result r;
                if (file != null) {
                    r = recorder.recordFile(rootCommand().workingDirectory().resolve(file), verifier);
                } else {
                    String d = decision.pass ? ReviewRecorder.PASS : decision.reject ? ReviewRecorder.REJECT
                            : ReviewRecorder.RELABEL;
                    r = recorder.recordOne(label, path, d, decision.relabel, note, verifier);
                }
                if (out().json()) {
                    Map<String, Object> doc = Output.document();
                    doc.put("verifier", r.verifier());
                    doc.put("passed", r.passed());
                    doc.put("rejected", r.rejected());
                    doc.put("relabeled", r.relabeled());
                    doc.put("skipped", r.skipped());
                    doc.put("relabel_commit", r.relabelCommit() == null ? null : r.relabelCommit().hex());
                    doc.put("branch", r.relabelCommit() == null ? null : r.branch());
                    out().printJson(doc);
                } else {
                    out().println("review.recorded", r.passed(), r.rejected(), r.relabeled(), r.verifier());
                    if (r.relabelCommit() != null) {
                        out().println("review.relabelCommit", r.relabelCommit().abbreviate(12), r.branch());
                    }
                    if (r.skipped() > 0) {
                        out().note("review.skipped", r.skipped());
                    }
                }
            }
            return 0;
        }
    }

    @Command(name = "status")
    static final class Status extends BaseCommand {
        @Parameters(index = "0", arity = "0..1", paramLabel = "REV", defaultValue = "HEAD", descriptionKey = "review.rev")
        String revision;

        @Option(names = "--into", paramLabel = "BRANCH", descriptionKey = "review.into")
        String into;

        @Override
        int run() {
            try (Session session = openSession()) {
                ReviewStatusReport report = ReviewStatusReport.build(session, revision, into);
                if (out().json()) {
                    out().printJson(json(report));
                    return 0;
                }
                out().println("review.status.head", report.head().abbreviate(12), report.maxRejectRate().toPlainString(),
                        report.policyBranch());
                for (ReviewStatusReport.CommitLine c : report.commits()) {
                    out().line(String.format("%-8s %s  %s", c.status().state().id(), c.commit().abbreviate(12),
                            out().text("review.reason." + c.status().reason().name(), c.status().unsampled(),
                                    c.message())));
                }
                if (!report.days().isEmpty()) {
                    out().println("review.status.groups");
                }
                for (ReviewStatus.GroupStatus g : report.days()) {
                    out().line(String.format("%-8s %-24s %s", g.state().id(), g.key(),
                            out().text("review.status.group", g.population(), g.sampled(), g.decided(), g.passed(),
                                    g.rejected(), g.relabeled())));
                }
            }
            return 0;
        }

        private static Map<String, Object> json(ReviewStatusReport report) {
            Map<String, Object> doc = Output.document();
            doc.put("head", report.head().hex());
            doc.put("policy_branch", report.policyBranch());
            doc.put("max_reject_rate", report.maxRejectRate());
            doc.put("commits", report.commits().stream().map(c -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("commit", c.commit().hex());
                m.put("status", c.status().state().id());
                m.put("reason", c.status().reason().name().toLowerCase(Locale.ROOT).replace('_', '-'));
                m.put("unsampled", c.status().unsampled());
                m.put("groups", c.status().groups().stream().map(g -> g.key().toString()).toList());
                m.put("message", c.message());
                return m;
            }).toList());
            doc.put("groups", report.days().stream().map(g -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("sample", g.sample().id().hex());
                m.put("by", g.sample().by());
                m.put("key", g.key().key());
                m.put("stratum", g.key().stratum());
                m.put("status", g.state().id());
                m.put("population", g.population());
                m.put("sampled", g.sampled());
                m.put("decided", g.decided());
                m.put("passed", g.passed());
                m.put("rejected", g.rejected());
                m.put("relabeled", g.relabeled());
                m.put("reject_rate", g.rejectRate());
                m.put("commits", g.commits().stream().map(ObjectId::hex).toList());
                return m;
            }).toList());
            return doc;
        }
    }
}
