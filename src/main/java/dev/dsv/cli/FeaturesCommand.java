package dev.dsv.cli;

import dev.dsv.service.FeaturesService;
import dev.dsv.service.Session;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dsv features import|rm}: stage feature vectors of images that are in the library. */
@Command(name = "features", subcommands = {FeaturesCommand.Import.class, FeaturesCommand.Remove.class})
final class FeaturesCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                new Output(null, null, false).text("error.usage.noSubcommand", "features", "import, rm"));
    }

    @Command(name = "import")
    static final class Import extends BaseCommand {
        @Parameters(index = "0", paramLabel = "FILE", descriptionKey = "features.file")
        Path file;

        @Option(names = "--name", paramLabel = "NAME", required = true, descriptionKey = "features.name")
        String name;

        @Override
        int run() {
            try (Session session = openSession()) {
                Path input = rootCommand().workingDirectory().resolve(file).normalize();
                FeaturesService.ImportResult r = new FeaturesService(session).importFile(input, name);
                if (out().json()) {
                    Map<String, Object> doc = Output.document();
                    doc.put("name", r.name());
                    doc.put("rows", r.rows());
                    doc.put("dimensions", r.dimensions());
                    doc.put("changed", r.changed());
                    out().printJson(doc);
                } else {
                    out().println("features.imported", r.changed(), r.name(), r.dimensions(), r.rows());
                }
            }
            return 0;
        }
    }

    @Command(name = "rm")
    static final class Remove extends BaseCommand {
        @Parameters(arity = "0..*", paramLabel = "PATH", descriptionKey = "features.paths")
        List<String> paths = new ArrayList<>();

        @Option(names = "--name", paramLabel = "NAME", required = true, descriptionKey = "features.name")
        String name;

        @Override
        int run() {
            try (Session session = openSession()) {
                int removed = new FeaturesService(session).remove(name, paths);
                if (out().json()) {
                    Map<String, Object> doc = Output.document();
                    doc.put("name", name);
                    doc.put("removed", removed);
                    out().printJson(doc);
                } else {
                    out().println("features.removed", removed, name);
                }
            }
            return 0;
        }
    }
}
