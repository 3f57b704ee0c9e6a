package dev.dsv.cli;

import dev.dsv.model.Times;
import dev.dsv.service.LogService;
import dev.dsv.service.Session;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dsv log [REV]}: the history of a revision, newest first. */
@Command(name = "log")
final class LogCommand extends BaseCommand {
    @Parameters(index = "0", arity = "0..1", paramLabel = "REV", defaultValue = "HEAD", descriptionKey = "log.rev")
    String revision;

    @Option(names = {"-n", "--max-count"}, paramLabel = "N", defaultValue = "" + Integer.MAX_VALUE,
            descriptionKey = "log.maxCount")
    int maxCount;

    @Option(names = "--path", paramLabel = "DATASET_PATH", descriptionKey = "log.path")
    String path;

    @Override
    int run() {
        if (path != null) {
            return runPath();
        }
        if (maxCount < 0) {
            throw new dev.dsv.error.DsvException(dev.dsv.error.ExitCode.USAGE, "error.log.count", maxCount);
        }
        try (Session session = openSession()) {
            List<LogService.Entry> entries = new LogService(session).log(revision, Math.max(0, maxCount));
            if (out().json()) {
                Map<String, Object> doc = Output.document();
                doc.put("commits", entries.stream().map(e -> {
                    Map<String, Object> m = Views.commit(e.id(), e.commit());
                    m.put("events", e.events().stream().map(r -> {
                        Map<String, Object> ev = new java.util.LinkedHashMap<>();
                        ev.put("kind", r.kind());
                        ev.put("author", r.author());
                        ev.put("time", Times.format(r.time()));
                        ev.putAll(r.body());
                        return ev;
                    }).toList());
                    return m;
                }).toList());
                out().printJson(doc);
                return 0;
            }
            for (LogService.Entry e : entries) {
                out().println("log.commit", e.id().hex());
                out().println("log.committer", e.commit().committer());
                out().println("log.date", Times.format(e.commit().time()));
                out().println("log.touches", Views.pairsText(e.commit().touches()));
                out().println("log.sources", String.join(", ", e.commit().sources()));
                for (var r : e.events()) {
                    if (r.kind().equals(dev.dsv.service.MetaKinds.PROMOTION)) {
                        out().println("log.promotion", r.body().get("branch"), r.author(), Times.format(r.time()),
                                String.valueOf(r.body().get("policy")).substring(0, 12),
                                String.valueOf(r.body().get("report")).substring(0, 12));
                    } else {
                        out().println("log.rollback", String.valueOf(r.body().get("rolled_back")).substring(0, 12),
                                r.author(), r.body().get("reason"));
                    }
                }
                out().line("");
                for (String line : e.commit().message().split("\n")) {
                    out().line("    " + line);
                }
                out().line("");
            }
        }
        return 0;
    }

    private int runPath() {
        try (Session session = openSession()) {
            List<LogService.PathVersion> versions = new LogService(session).pathHistory(revision, path);
            if (out().json()) {
                Map<String, Object> doc = Output.document();
                doc.put("path", path);
                doc.put("versions", versions.stream().map(v -> {
                    Map<String, Object> m = new java.util.LinkedHashMap<>();
                    m.put("commit", Views.commit(v.commit(), v.commitObject()));
                    m.put("image", v.entry() == null ? null : Views.entry(v.entry()));
                    m.put("label", v.entry() == null ? null : Views.label(v.entry().label(), v.label()));
                    return m;
                }).toList());
                out().printJson(doc);
                return 0;
            }
            for (LogService.PathVersion v : versions) {
                out().println("log.path.commit", v.commit().abbreviate(12), Times.format(v.commitObject().time()),
                        v.commitObject().message().lines().findFirst().orElse(""));
                if (v.entry() == null) {
                    out().println("log.path.removed");
                    continue;
                }
                out().println("log.path.label", v.entry().label().abbreviate(12),
                        v.label().defectTypes().isEmpty() ? "none" : String.join(", ", v.label().defectTypes()),
                        v.label().labeler(), Times.format(v.label().labeledAt()),
                        v.entry().split() == null ? "-" : v.entry().split(), v.entry().blob().abbreviate(12));
            }
        }
        return 0;
    }
}
