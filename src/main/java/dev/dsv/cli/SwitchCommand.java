package dev.dsv.cli;

import dev.dsv.service.BranchService;
import dev.dsv.service.Session;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dsv switch BRANCH} or {@code dsv switch -c BRANCH [REV]}: changes the current branch. */
@Command(name = "switch")
final class SwitchCommand extends BaseCommand {
    @Parameters(index = "0", paramLabel = "BRANCH", descriptionKey = "switch.branch")
    String branch;

    @Parameters(index = "1", arity = "0..1", paramLabel = "REV", descriptionKey = "switch.rev")
    String revision;

    @Option(names = {"-c", "--create"}, descriptionKey = "switch.create")
    boolean create;

    @Option(names = "--discard-staged", descriptionKey = "switch.discard")
    boolean discard;

    @Override
    int run() {
        try (Session session = openSession()) {
            String start = null;
            if (create) {
                start = revision == null ? "HEAD" : revision;
            }
            new BranchService(session).switchTo(branch, start, discard);
            if (out().json()) {
                Map<String, Object> doc = Output.document();
                doc.put("branch", branch);
                var head = session.repository().headCommit();
                doc.put("commit", head == null ? null : head.hex());
                out().printJson(doc);
            } else {
                out().println("switch.done", branch);
            }
        }
        return 0;
    }
}
