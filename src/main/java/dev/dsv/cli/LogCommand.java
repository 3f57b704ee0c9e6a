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

    @Override
    int run() {
        try (Session session = openSession()) {
            List<LogService.Entry> entries = new LogService(session).log(revision, Math.max(0, maxCount));
            if (out().json()) {
                Map<String, Object> doc = Output.document();
                doc.put("commits", entries.stream().map(e -> Views.commit(e.id(), e.commit())).toList());
                out().printJson(doc);
                return 0;
            }
            for (LogService.Entry e : entries) {
                out().println("log.commit", e.id().hex());
                out().println("log.committer", e.commit().committer());
                out().println("log.date", Times.format(e.commit().time()));
                out().println("log.touches", Views.pairsText(e.commit().touches()));
                out().println("log.sources", String.join(", ", e.commit().sources()));
                out().line("");
                for (String line : e.commit().message().split("\n")) {
                    out().line("    " + line);
                }
                out().line("");
            }
        }
        return 0;
    }
}
