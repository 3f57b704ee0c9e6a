package dev.dsv.cli;

import dev.dsv.remote.PullService;
import dev.dsv.service.Session;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code dsv pull [REMOTE] [BRANCH]}: fetch, then fast-forward or merge into the current branch. */
@Command(name = "pull")
final class PullCommand extends BaseCommand {
    @Parameters(index = "0", arity = "0..1", paramLabel = "REMOTE", descriptionKey = "pull.remote")
    String remote;

    @Parameters(index = "1", arity = "0..1", paramLabel = "BRANCH", descriptionKey = "pull.branch")
    String branch;

    @Override
    int run() {
        try (Session session = openSession()) {
            PullService.Result r = new PullService(session).pull(remote, branch);
            if (out().json()) {
                Map<String, Object> doc = Output.document();
                doc.put("fetch", FetchCommand.view(r.fetch()));
                doc.put("branch", r.branch());
                doc.put("from", r.from());
                doc.put("result", r.result());
                doc.put("commit", r.commit() == null ? null : r.commit().hex());
                out().printJson(doc);
            } else {
                FetchCommand.print(out(), r.fetch());
                out().println("pull.done." + r.result(), r.from(), r.branch(),
                        r.commit() == null ? "-" : r.commit().abbreviate(12));
            }
        }
        return 0;
    }
}
