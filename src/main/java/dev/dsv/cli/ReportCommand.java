package dev.dsv.cli;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.quality.HtmlReport;
import dev.dsv.quality.ReportService;
import dev.dsv.service.Session;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dsv quality report --html FILE [REV]}: one self-contained HTML page of quality plots. */
@Command(name = "report")
final class ReportCommand extends BaseCommand {
    @Parameters(index = "0", arity = "0..1", paramLabel = "REV", descriptionKey = "quality.rev")
    String revision;

    @Option(names = "--html", required = true, paramLabel = "FILE", descriptionKey = "quality.report.html")
    Path html;

    @Option(names = "--min-shared", paramLabel = "N", defaultValue = "30", descriptionKey = "quality.agreement.minShared")
    int minShared;

    @Override
    int run() {
        if (minShared < 1) {
            throw new DsvException(ExitCode.USAGE, "error.quality.minShared", minShared);
        }
        Path target = rootCommand().workingDirectory().resolve(html).toAbsolutePath().normalize();
        Path folder = target.getParent();
        if (folder == null || !Files.isDirectory(folder)) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.quality.reportFolder", folder);
        }
        if (Files.isDirectory(target)) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.quality.reportIsFolder", target);
        }
        try (Session session = openSession()) {
            ReportService.Data data = new ReportService(session).gather(QualityCommand.revisionOrHead(revision), minShared);
            byte[] page = HtmlReport.render(data, out()::text).getBytes(StandardCharsets.UTF_8);
            write(target, page);
            if (out().json()) {
                Map<String, Object> doc = Output.document();
                doc.put("commit", data.commit().hex());
                doc.put("html", target.toString());
                doc.put("bytes", page.length);
                doc.put("months", data.months().size());
                doc.put("labelers_with_gold_tests", data.gold().size());
                doc.put("review_days", data.reviews().size());
                doc.put("flags", data.flags().size());
                out().printJson(doc);
            } else {
                out().println("quality.report.written", target, data.commit().abbreviate(12));
            }
        }
        return 0;
    }

    /** Writes the page beside the target and renames it into place, so a reader never sees half a page. */
    private static void write(Path target, byte[] page) {
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp-" + ProcessHandle.current().pid());
        try {
            Files.write(tmp, page);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // The write already failed; that failure is the one reported.
            }
            throw new DsvException(ExitCode.IO_ERROR, e, "error.quality.reportWrite", target, String.valueOf(e.getMessage()));
        }
    }
}
