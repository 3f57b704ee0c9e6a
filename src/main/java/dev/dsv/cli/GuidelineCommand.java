package dev.dsv.cli;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.model.Times;
import dev.dsv.service.GuidelineService;
import dev.dsv.service.Session;
import dev.dsv.store.AtomicFiles;
import dev.dsv.store.StoreIOException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dsv guideline add|list|show}: the labeling guideline versions kept in the repository. */
@Command(name = "guideline", subcommands = {GuidelineCommand.Add.class, GuidelineCommand.ListVersions.class,
        GuidelineCommand.Show.class})
final class GuidelineCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                new Output(null, null, false).text("error.usage.noSubcommand", "guideline", "add, list, show"));
    }

    static Map<String, Object> view(GuidelineService.Guideline g) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("version", g.version());
        v.put("title", g.title());
        v.put("document", g.document().hex());
        v.put("size", g.size());
        v.put("added_by", g.author());
        v.put("added_at", Times.format(g.time()));
        v.put("record", g.record().hex());
        return v;
    }

    static String line(GuidelineService.Guideline g) {
        return String.format("%-16s %s  %s  %s%s", g.version(), Times.format(g.time()), g.author(),
                g.document().abbreviate(12), g.title() == null ? "" : "  " + g.title());
    }

    @Command(name = "add")
    static final class Add extends BaseCommand {
        @Parameters(index = "0", paramLabel = "FILE", descriptionKey = "guideline.file")
        Path file;

        // This --version replaces the inherited one that prints dsv's version. With it, the
        // inherited -h/--help went unrecognized here (picocli 4.7.7), so it is declared again.
        @Option(names = "--version", required = true, paramLabel = "VERSION", descriptionKey = "guideline.version")
        String version;

        @Option(names = {"-h", "--help"}, usageHelp = true, descriptionKey = "guideline.help")
        boolean help;

        @Option(names = "--title", paramLabel = "TEXT", descriptionKey = "guideline.title")
        String title;

        @Override
        int run() {
            try (Session session = openSession()) {
                GuidelineService.Guideline g = new GuidelineService(session)
                        .add(rootCommand().workingDirectory().resolve(file), version, title, null);
                if (out().json()) {
                    Map<String, Object> doc = Output.document();
                    doc.put("guideline", view(g));
                    out().printJson(doc);
                } else {
                    out().println("guideline.added", g.version(), g.document().abbreviate(12), g.size());
                }
            }
            return 0;
        }
    }

    @Command(name = "list")
    static final class ListVersions extends BaseCommand {
        @Override
        int run() {
            try (Session session = openSession()) {
                var all = new GuidelineService(session).all().values();
                if (out().json()) {
                    Map<String, Object> doc = Output.document();
                    doc.put("guidelines", all.stream().map(GuidelineCommand::view).toList());
                    out().printJson(doc);
                } else {
                    all.forEach(g -> out().line(line(g)));
                }
            }
            return 0;
        }
    }

    @Command(name = "show")
    static final class Show extends BaseCommand {
        @Parameters(index = "0", paramLabel = "VERSION", descriptionKey = "guideline.version")
        String version;

        @Option(names = "--out", paramLabel = "FILE", descriptionKey = "guideline.out")
        Path target;

        @Override
        int run() {
            try (Session session = openSession()) {
                GuidelineService service = new GuidelineService(session);
                GuidelineService.Guideline g = service.get(version);
                byte[] document = service.document(g);
                Path outFile = target == null ? null : rootCommand().workingDirectory().resolve(target);
                if (outFile != null) {
                    if (Files.exists(outFile)) {
                        throw new DsvException(ExitCode.INVALID_INPUT, "error.guideline.outExists", outFile);
                    }
                    try {
                        AtomicFiles.write(outFile, document);
                    } catch (IOException e) {
                        throw StoreIOException.of(outFile, e);
                    }
                }
                if (out().json()) {
                    Map<String, Object> doc = Output.document();
                    doc.put("guideline", view(g));
                    doc.put("out", outFile == null ? null : outFile.toString());
                    out().printJson(doc);
                } else if (outFile != null) {
                    out().println("guideline.written", g.version(), outFile, document.length);
                } else {
                    out().out().print(text(document, g.version()));
                    out().out().flush();
                }
            }
            return 0;
        }

        /** Returns the document as text; a document that is not UTF-8 text needs --out. */
        private static String text(byte[] document, String version) {
            try {
                return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(document)).toString();
            } catch (CharacterCodingException e) {
                throw new DsvException(ExitCode.INVALID_INPUT, "error.guideline.binary", version);
            }
        }
    }
}
