package dev.dsv.cli;

import dev.dsv.service.MergeService;
import dev.dsv.service.ModelService;
import dev.dsv.service.RollbackService;
import dev.dsv.service.Session;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dsv rollback COMMIT -m WHY}: undoes one commit with an inverse commit. */
@Command(name = "rollback")
final class RollbackCommand extends BaseCommand {
    @Parameters(index = "0", paramLabel = "COMMIT", descriptionKey = "rollback.commit")
    String commit;

    @Option(names = "--branch", paramLabel = "BRANCH", descriptionKey = "rollback.branch")
    String branch;

    @Option(names = {"-m", "--message"}, required = true, paramLabel = "WHY", descriptionKey = "rollback.message")
    String reason;

    @Option(names = "--ours", descriptionKey = "rollback.ours")
    boolean ours;

    @Option(names = "--theirs", descriptionKey = "rollback.theirs")
    boolean theirs;

    @Option(names = "--resolve", paramLabel = "FILE", descriptionKey = "merge.resolve")
    Path resolutions;

    @Override
    int run() {
        MergeService.Side all = MergeCommand.side(ours, theirs);
        Map<String, MergeService.Side> choices = resolutions == null ? Map.of()
                : MergeCommand.readChoices(rootCommand().workingDirectory().resolve(resolutions));
        try (Session session = openSession()) {
            RollbackService.Result r = new RollbackService(session).rollback(commit, branch, reason, all, choices);
            if (out().json()) {
                Map<String, Object> doc = Output.document();
                doc.put("commit", r.commit().hex());
                doc.put("rolled_back", r.rolledBack().hex());
                doc.put("branch", r.branch());
                doc.put("changed", r.changed());
                doc.put("retrain", r.affectedModels().stream().map(ModelCommand::view).toList());
                out().printJson(doc);
            } else {
                out().println("rollback.done", r.rolledBack().abbreviate(12), r.branch(), r.commit().abbreviate(12), r.changed());
                for (ModelService.Model m : r.affectedModels()) {
                    out().println("rollback.retrain", m.name(), m.data().abbreviate(12));
                }
            }
        }
        return 0;
    }
}
