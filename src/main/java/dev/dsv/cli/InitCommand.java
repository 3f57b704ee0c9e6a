package dev.dsv.cli;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.repo.Repository;
import dev.dsv.service.Session;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dsv init [DIR]}: creates an empty repository. */
@Command(name = "init")
final class InitCommand extends BaseCommand {
    @Parameters(index = "0", arity = "0..1", paramLabel = "DIR", descriptionKey = "init.dir")
    Path dir;

    @Option(names = "--time-zone", paramLabel = "ZONE", descriptionKey = "init.timeZone")
    String timeZone;

    @Override
    int run() {
        Path target = dir == null ? rootCommand().workingDirectory() : rootCommand().workingDirectory().resolve(dir);
        java.time.ZoneId zone;
        try {
            zone = timeZone == null ? java.time.ZoneId.systemDefault() : java.time.ZoneId.of(timeZone.strip());
        } catch (java.time.DateTimeException e) {
            throw new DsvException(ExitCode.USAGE, "error.init.timeZone", timeZone);
        }
        try (Session session = Session.init(target, zone)) {
            Path dsvDir = session.repository().dsvDir();
            if (out().json()) {
                Map<String, Object> doc = Output.document();
                doc.put("repository", session.repository().root().toString());
                doc.put("format_version", Repository.FORMAT_VERSION);
                doc.put("branch", Repository.DEFAULT_BRANCH);
                doc.put("time_zone", zone.getId());
                out().printJson(doc);
            } else {
                out().println("init.done", dsvDir);
            }
        }
        return 0;
    }
}
