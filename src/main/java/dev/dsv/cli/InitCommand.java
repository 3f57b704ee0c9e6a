package dev.dsv.cli;

import dev.dsv.repo.Repository;
import dev.dsv.service.Session;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code dsv init [DIR]}: creates an empty repository. */
@Command(name = "init")
final class InitCommand extends BaseCommand {
    @Parameters(index = "0", arity = "0..1", paramLabel = "DIR", descriptionKey = "init.dir")
    Path dir;

    @Override
    int run() {
        Path target = dir == null ? rootCommand().workingDirectory() : rootCommand().workingDirectory().resolve(dir);
        try (Session session = Session.init(target)) {
            Path dsvDir = session.repository().dsvDir();
            if (out().json()) {
                Map<String, Object> doc = Output.document();
                doc.put("repository", session.repository().root().toString());
                doc.put("format_version", Repository.FORMAT_VERSION);
                doc.put("branch", Repository.DEFAULT_BRANCH);
                out().printJson(doc);
            } else {
                out().println("init.done", dsvDir);
            }
        }
        return 0;
    }
}
