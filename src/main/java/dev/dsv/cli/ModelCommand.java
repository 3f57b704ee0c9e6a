package dev.dsv.cli;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.service.ModelService;
import dev.dsv.service.Session;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dsv model register|list|show}: which data (and code) each model was trained on. */
@Command(name = "model", subcommands = {ModelCommand.Register.class, ModelCommand.ListModels.class, ModelCommand.Show.class})
final class ModelCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                new Output(null, null, false).text("error.usage.noSubcommand", "model", "register, list, show"));
    }

    static Map<String, Object> view(ModelService.Model m) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("name", m.name());
        v.put("data", m.data().hex());
        v.put("code_commit", m.codeCommit());
        v.put("code_dirty", m.codeDirty());
        v.put("metrics", m.metrics());
        v.put("registered_by", m.registeredBy());
        v.put("registered_at", m.registeredAt());
        v.put("unprotected_data", m.unprotected());
        return v;
    }

    static String line(Output out, ModelService.Model m) {
        return String.format("%-24s data %s  code %s%s%s", m.name(), m.data().abbreviate(12),
                m.codeCommit() == null ? "-" : m.codeCommit().substring(0, 12),
                Boolean.TRUE.equals(m.codeDirty()) ? " (dirty)" : "",
                m.unprotected() ? "  " + out.text("model.unprotected") : "");
    }

    @Command(name = "register")
    static final class Register extends BaseCommand {
        @Parameters(index = "0", paramLabel = "NAME", descriptionKey = "model.name")
        String name;

        @Option(names = "--data", required = true, paramLabel = "REV", descriptionKey = "model.data")
        String data;

        @Option(names = "--code", paramLabel = "DIR", descriptionKey = "model.code")
        Path code;

        @Option(names = "--metrics", paramLabel = "FILE", descriptionKey = "model.metrics")
        Path metrics;

        @Override
        int run() {
            try (Session session = openSession()) {
                Path dir = rootCommand().workingDirectory();
                ModelService.Model m = new ModelService(session).register(name, data,
                        code == null ? null : dir.resolve(code), metrics == null ? null : dir.resolve(metrics), null);
                if (out().json()) {
                    Map<String, Object> doc = Output.document();
                    doc.put("model", view(m));
                    out().printJson(doc);
                } else {
                    out().println("model.registered", m.name(), m.data().abbreviate(12));
                    if (m.unprotected()) {
                        out().note("model.unprotectedNote");
                    }
                }
            }
            return 0;
        }
    }

    @Command(name = "list")
    static final class ListModels extends BaseCommand {
        @Option(names = "--affected-by", paramLabel = "COMMIT", descriptionKey = "model.affectedBy")
        String affectedBy;

        @Override
        int run() {
            try (Session session = openSession()) {
                List<ModelService.Model> models = new ModelService(session).list(affectedBy);
                if (out().json()) {
                    Map<String, Object> doc = Output.document();
                    doc.put("models", models.stream().map(ModelCommand::view).toList());
                    out().printJson(doc);
                } else {
                    models.forEach(m -> out().line(line(out(), m)));
                }
            }
            return 0;
        }
    }

    @Command(name = "show")
    static final class Show extends BaseCommand {
        @Parameters(index = "0", paramLabel = "NAME", descriptionKey = "model.name")
        String name;

        @Override
        int run() {
            try (Session session = openSession()) {
                ModelService.Model m = new ModelService(session).find(name);
                if (m == null) {
                    throw new DsvException(ExitCode.UNKNOWN_REVISION, "error.model.notFound", name);
                }
                if (out().json()) {
                    Map<String, Object> doc = Output.document();
                    doc.put("model", view(m));
                    out().printJson(doc);
                } else {
                    out().line(line(out(), m));
                    out().println("model.registeredBy", m.registeredBy(), m.registeredAt());
                    if (!m.metrics().isEmpty()) {
                        out().println("model.metricsLine", m.metrics());
                    }
                }
            }
            return 0;
        }
    }
}
