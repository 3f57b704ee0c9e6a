package dev.dsv.cli;

import dev.dsv.service.Session;
import dev.dsv.service.VocabularyService;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dsv vocab rename|merge|split}: change defect types across the library in one commit. */
@Command(name = "vocab", subcommands = {VocabCommand.Rename.class, VocabCommand.Merge.class, VocabCommand.Split.class})
final class VocabCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                new Output(null, null, false).text("error.usage.noSubcommand", "vocab", "rename, merge, split"));
    }

    /** The options and the report shared by the three operations. */
    abstract static class Sub extends BaseCommand {
        @Option(names = {"-m", "--message"}, paramLabel = "MESSAGE", descriptionKey = "vocab.message")
        String message;

        int report(VocabularyService.Result r) {
            if (out().json()) {
                Map<String, Object> doc = Output.document();
                doc.put("operation", r.operation().jsonName());
                doc.put("change", r.change().hex());
                doc.put("commit", r.commit() == null ? null : r.commit().hex());
                doc.put("branch", r.branch());
                doc.put("from", r.from());
                doc.put("to", r.to());
                doc.put("images", r.images());
                doc.put("regions_dropped", r.regionsDropped());
                doc.put("defect_types", r.defectTypes());
                out().printJson(doc);
                return 0;
            }
            if (r.commit() == null) {
                out().println("vocab.recordedOnly", r.operation().jsonName(), String.join(", ", r.from()),
                        String.join(", ", r.to()), r.change().abbreviate(12));
            } else {
                out().println("vocab.done", r.operation().jsonName(), String.join(", ", r.from()),
                        String.join(", ", r.to()), r.images(), r.branch(), r.commit().abbreviate(12),
                        r.change().abbreviate(12));
            }
            if (r.regionsDropped() > 0) {
                out().println("vocab.regionsDropped", r.regionsDropped());
            }
            return 0;
        }
    }

    @Command(name = "rename")
    static final class Rename extends Sub {
        @Parameters(index = "0", paramLabel = "OLD", descriptionKey = "vocab.old")
        String oldName;

        @Parameters(index = "1", paramLabel = "NEW", descriptionKey = "vocab.new")
        String newName;

        @Override
        int run() {
            try (Session session = openSession()) {
                return report(new VocabularyService(session, progress()).rename(oldName, newName, message));
            }
        }
    }

    @Command(name = "merge")
    static final class Merge extends Sub {
        @Parameters(arity = "1..*", paramLabel = "TYPE", descriptionKey = "vocab.sources")
        List<String> sources;

        @Option(names = "--into", required = true, paramLabel = "TYPE", descriptionKey = "vocab.into")
        String into;

        @Override
        int run() {
            try (Session session = openSession()) {
                return report(new VocabularyService(session, progress()).merge(sources, into, message));
            }
        }
    }

    @Command(name = "split")
    static final class Split extends Sub {
        @Parameters(index = "0", paramLabel = "OLD", descriptionKey = "vocab.old")
        String oldName;

        @Option(names = "--map", required = true, paramLabel = "FILE", descriptionKey = "vocab.map")
        Path map;

        @Override
        int run() {
            try (Session session = openSession()) {
                return report(new VocabularyService(session, progress()).split(oldName,
                        rootCommand().workingDirectory().resolve(map), message));
            }
        }
    }
}
