package dev.dsv.cli;

import dev.dsv.model.Times;
import dev.dsv.service.CommitService;
import dev.dsv.service.Session;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code dsv commit -m MESSAGE}: records the stage on the current branch. */
@Command(name = "commit")
final class CommitCommand extends BaseCommand {
    @Option(names = {"-m", "--message"}, required = true, paramLabel = "MESSAGE", descriptionKey = "commit.message")
    String message;

    @Option(names = "--committer", paramLabel = "NAME", descriptionKey = "commit.committer")
    String committer;

    @Override
    int run() {
        try (Session session = openSession()) {
            CommitService.Result r = new CommitService(session).commit(message, committer, null);
            if (out().json()) {
                Map<String, Object> doc = Output.document();
                doc.put("branch", r.branch());
                doc.put("commit", Views.commit(r.id(), r.commit()));
                doc.put("counts", Views.counts(r.counts()));
                out().printJson(doc);
            } else {
                out().println("commit.done", r.branch(), r.id().abbreviate(12), r.commit().message());
                out().println("commit.counts", Views.countsText(out(), r.counts()));
                out().println("commit.touches", Views.pairsText(r.commit().touches()));
                out().println("commit.sources", String.join(", ", r.commit().sources()));
                out().println("commit.time", Times.format(r.commit().time()), r.commit().committer());
            }
        }
        return 0;
    }
}
